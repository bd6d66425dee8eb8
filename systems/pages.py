"""Every system's page object for one collector's or item's browser, opened on first use."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from systems.attest import Attest
from systems.digitalpost import DigitalPost
from systems.edoc import Edoc
from systems.nemrefusion import NemRefusion
from systems.payroll import Payroll
from systems.serviceportal import Serviceportal


class BrowserPages:
    """`pages.payroll`, `pages.portal`, ... on `ctx.browser` with `ctx.system(name)`'s access.

    `ctx` is what a bot is handed (a runner Collector, Item or PersonAction); the browser
    context is opened only when a page object is first used.
    """

    def __init__(self, ctx: Any) -> None:
        self._ctx = ctx

    @cached_property
    def payroll(self) -> Payroll:
        return Payroll(self._ctx.browser, self._ctx.system("payroll"))

    @cached_property
    def portal(self) -> Serviceportal:
        return Serviceportal(self._ctx.browser, self._ctx.system("serviceportal"))

    @cached_property
    def edoc(self) -> Edoc:
        return Edoc(self._ctx.browser, self._ctx.system("edoc"))

    @cached_property
    def post(self) -> DigitalPost:
        return DigitalPost(self._ctx.browser, self._ctx.system("digitalpost"))

    @cached_property
    def refusion(self) -> NemRefusion:
        return NemRefusion(self._ctx.browser, self._ctx.system("nemrefusion"))

    @cached_property
    def attest(self) -> Attest:
        return Attest(self._ctx.browser, self._ctx.system("attest"))
