"""Every model module, imported once so that metadata (and Alembic) sees all tables."""
from portal.audit.models import AuditEvent  # noqa: F401
from portal.auth.invitation_models import Invitation  # noqa: F401
from portal.auth.models import LoginFailure, LoginSession, Membership, User  # noqa: F401
from portal.calendar.models import HariLibur  # noqa: F401
from portal.capaian.models import IndicatorSettings  # noqa: F401
from portal.cycles.models import Cycle, CycleItem, CycleSnapshot, CycleTask  # noqa: F401
from portal.indikator import models as indicator_models  # noqa: F401 (indicator sets, values, bukti dukung)
from portal.jobs.models import Job  # noqa: F401
from portal.oversight.models import IndicatorLink, IndicatorReference  # noqa: F401
from portal.reminders.models import ReminderSent, ReminderSetting  # noqa: F401
from portal.signing.models import SignedFigure, SignedValue  # noqa: F401
from portal.sop.models import Sop, SopChoice, SopLane, SopStep, SopVersion  # noqa: F401
from portal.tenancy.models import Lane, Tenant, Unit  # noqa: F401
