"""Pages for officials, mounted at the site root."""
from django.urls import path

from correspondence.views import dashboard, incoming, letters, registers, retention

app_name = "portal"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("notifications/", dashboard.notifications, name="notifications"),
    path("notifications/<int:pk>/read/", dashboard.notification_read, name="notification-read"),
    path("search/", dashboard.search, name="search"),
    # incoming
    path("incoming/", incoming.queue, name="queue"),
    path("incoming/new/", incoming.item_receive, name="item-receive"),
    path("incoming/new/prefill/", incoming.item_receive_prefill, name="item-receive-prefill"),
    path("incoming/new/check/", incoming.item_receive_check, name="item-receive-check"),
    path("incoming/<int:pk>/", incoming.item_detail, name="item"),
    path("incoming/<int:pk>/pdf/", incoming.item_pdf, name="item-pdf"),
    path("incoming/<int:pk>/enclosures/<int:enc>/", incoming.item_enclosure, name="item-enclosure"),
    path("incoming/<int:pk>/attachments/<int:att>/", incoming.item_attachment, name="item-attachment"),
    path("incoming/<int:pk>/page1.png", incoming.item_page_png, name="item-png"),
    path("incoming/<int:pk>/register/", incoming.item_register, name="item-register"),
    path("incoming/<int:pk>/route/", incoming.item_route, name="item-route"),
    path("incoming/<int:pk>/minute/", incoming.item_minute, name="item-minute"),
    path("incoming/<int:pk>/close/", incoming.item_close, name="item-close"),
    path("incoming/<int:pk>/present/", incoming.item_present, name="item-present"),
    path("incoming/<int:pk>/reject/", incoming.item_reject, name="item-reject"),
    path("minutes/<int:pk>/acknowledge/", incoming.minute_acknowledge, name="minute-ack"),
    # outgoing
    path("letters/", letters.letter_list, name="letters"),
    path("letters/new/", letters.letter_new, name="letter-new"),
    path("letters/new/<slug:kind>/", letters.letter_draft, name="letter-draft"),
    path("letters/preview/<slug:kind>/", letters.letter_preview, name="letter-preview"),
    path("letters/preview/pdf/<str:key>/", letters.letter_preview_pdf, name="letter-preview-pdf"),
    path("letters/<int:pk>/", letters.letter_detail, name="letter"),
    path("letters/<int:pk>/edit/", letters.letter_edit, name="letter-edit"),
    path("letters/<int:pk>/pdf/", letters.letter_pdf, name="letter-pdf"),
    path("letters/<int:pk>/draft.pdf", letters.letter_draft_pdf, name="letter-draft-pdf"),
    path("letters/<int:pk>/page1.png", letters.letter_page_png, name="letter-png"),
    path("letters/<int:pk>/enclosures/", letters.enclosure_add, name="enclosure-add"),
    path("letters/<int:pk>/enclosures/<int:enc>/remove/", letters.enclosure_remove, name="enclosure-remove"),
    path("letters/<int:pk>/enclosures/<int:enc>/", letters.enclosure_file, name="enclosure-file"),
    path("letters/<int:pk>/submit/", letters.letter_submit, name="letter-submit"),
    path("letters/<int:pk>/review/", letters.letter_review, name="letter-review"),
    path("letters/<int:pk>/issue/", letters.letter_issue, name="letter-issue"),
    path("letters/<int:pk>/sign/", letters.letter_sign, name="letter-sign"),
    path("letters/<int:pk>/sign/<int:job>/", letters.sign_progress, name="sign-progress"),
    path("letters/<int:pk>/send/", letters.letter_send, name="letter-send"),
    path("letters/<int:pk>/paper/", letters.letter_dispatch_paper, name="letter-paper"),
    path("letters/<int:pk>/cancel/", letters.letter_cancel, name="letter-cancel"),
    # registers
    path("registers/", registers.book_list, name="books"),
    path("registers/<int:pk>/", registers.book_detail, name="book"),
    path("registers/<int:pk>/export.<str:fmt>", registers.book_export, name="book-export"),
    path("registers/<int:pk>/reserve/", registers.book_reserve, name="book-reserve"),
    path("registers/entries/<int:pk>/fill/", registers.reservation_fill, name="reservation-fill"),
    path("registers/entries/<int:pk>/void/", registers.reservation_void, name="reservation-void"),
    path("registers/entries/<int:pk>/scan.pdf", registers.entry_scan_pdf, name="entry-scan"),
    # บัญชีหนังสือขอทำลาย
    path("disposal/", retention.destruction_lists, name="destruction-lists"),
    path("disposal/<int:pk>/", retention.destruction_list, name="destruction-list"),
    path("disposal/<int:pk>/appoint/", retention.destruction_appoint, name="destruction-appoint"),
    path("disposal/<int:pk>/review/", retention.destruction_review, name="destruction-review"),
    path("disposal/<int:pk>/approve/", retention.destruction_approve, name="destruction-approve"),
    path("disposal/<int:pk>/send/", retention.destruction_send, name="destruction-send"),
    path("disposal/<int:pk>/answer/", retention.destruction_answer, name="destruction-answer"),
    path("disposal/<int:pk>/execute/", retention.destruction_execute, name="destruction-execute"),
]
