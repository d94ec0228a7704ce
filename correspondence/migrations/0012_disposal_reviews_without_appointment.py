"""Disposal data from before the appointed committee (0010): reviews on draft lists that no appointment backs.

Before 0010 anyone of the organisation could record themselves as a committee member and review a draft
บัญชีหนังสือขอทำลาย. The rebuilt procedure counts only members the head appointed, yet such a review
left on a draft still froze its lines (the draft job stops updating a list once it has a review), and it
counted towards approval if the head later appointed its author. So a review on a draft list whose author
holds no appointment on it, or was appointed only after giving it, is removed; its audit history keeps it
(the rows written when it was given, and a deletion row saying why it went). The author, once appointed,
reviews again. Reviews on lists approved or destroyed stay: they are the record of that approval.

Approved lists that never went to the National Archives are left as they are: "approved" is the state in
which the rebuilt procedure waits for the registry to record the day the list was actually sent (and
refuses destruction until then). Recording a sending on the approval day would invent a step that never
happened and let destruction start once EOFFICE_ARCHIVES_REPLY_DAYS had passed, without the Archives
ever having seen the list.

The reverse is a no-op: the removed reviews were never given by an appointed member, and the history holds them.
"""
from django.db import migrations
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

REASON = "ลบความเห็นที่ไม่ได้ให้ในฐานะกรรมการที่หัวหน้าส่วนราชการแต่งตั้ง (ก่อนการแต่งตั้งคณะกรรมการ)"


def remove_unappointed_reviews(apps, schema_editor):
    from eoffice.audit import link_bulk

    Review = apps.get_model("correspondence", "DestructionReview")
    History = apps.get_model("correspondence", "HistoricalDestructionReview")
    Member = apps.get_model("correspondence", "DestructionCommitteeMember")
    using = schema_editor.connection.alias
    appointed_before = Member.objects.filter(destruction_list=OuterRef("destruction_list"),
                                             official__user=OuterRef("member"),
                                             appointed_at__lte=OuterRef("reviewed_at"))
    stale = list(Review.objects.using(using).filter(destruction_list__state="draft")
                 .filter(~Q(Exists(appointed_before))).order_by("pk"))
    if not stale:
        return
    now = timezone.now()
    rows = [History(id=r.pk, role=r.role, agreed=r.agreed, note=r.note, reviewed_at=r.reviewed_at,
                    destruction_list_id=r.destruction_list_id, member_id=r.member_id, history_date=now,
                    history_change_reason=REASON[:100], history_type="-", history_user=None) for r in stale]
    link_bulk(History, rows, using=using)  # the deletion rows join their reviews' audit chains
    History.objects.using(using).bulk_create(rows)
    Review.objects.using(using).filter(pk__in=[r.pk for r in stale]).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("correspondence", "0011_reminder_kind_present"),
    ]

    operations = [migrations.RunPython(remove_unappointed_reviews, migrations.RunPython.noop)]
