"""Drive a measurement cycle through its SOP as the demo people would, for tests: the
driver lives in portal/demo/driver.py (the demo's year in progress is made with it)."""
from portal.cycles.outputs import store_output  # noqa: F401 (used by tests)
from portal.demo.driver import PDF, actor, advance, enter_value, enterer, first_step, people, run, tenant  # noqa: F401
from portal.indikator import periods  # noqa: F401 (used by tests)
from portal.realisasi import services as realisasi_services  # noqa: F401 (used by tests)

_first_step = first_step
