"""Records of งานสารบรรณ: reference data, letters, register books, incoming items and their audit."""
from correspondence.models.reference import SalutationRule
from correspondence.models.registers import BookKind, EntryScan, EntryStatus, RegisterBook, RegisterEntry
from correspondence.models.letters import (
    Enclosure,
    Letter,
    LetterKind,
    LetterRecipient,
    LetterReference,
    LetterState,
    RecipientState,
    ReviewDecision,
    ReviewStep,
)
from correspondence.models.incoming import (
    AccessLog,
    Channel,
    IncomingItem,
    ItemState,
    Minute,
    Routing,
)
from correspondence.models.retention_classes import RetentionClass
from correspondence.models.notifications import Notification, NotificationKind, Reminder, ReminderKind
from correspondence.models.retention import (
    ArchivesAnswer,
    CommitteeRole,
    DestructionCommitteeMember,
    DestructionLine,
    DestructionList,
    DestructionReview,
    DestructionState,
)
from correspondence.models.exchange import (
    AckStatus,
    Direction,
    ExchangeAck,
    ExchangeLog,
    ExchangeMessage,
    ExchangePeer,
    MessageKind,
    Outcome,
    ReceivedAttachment,
)
from correspondence.models.mail import IntakeAddress, ReceivedMail
from correspondence.models.delivery import OutboxChannel, OutboxMessage, OutboxState
from correspondence.models.grants import (
    IncomingItemGroupGrant,
    IncomingItemUserGrant,
    LetterGroupGrant,
    LetterUserGrant,
)
from correspondence.models.search import SearchDocument, SearchKind

__all__ = [
    "AccessLog", "BookKind", "Channel", "Enclosure", "EntryScan", "EntryStatus", "IncomingItem", "IncomingItemGroupGrant",
    "IncomingItemUserGrant", "ItemState", "Letter", "LetterGroupGrant", "LetterKind", "LetterRecipient",
    "LetterReference", "LetterState", "LetterUserGrant", "Minute", "RecipientState", "RegisterBook",
    "RegisterEntry", "ReviewDecision", "ReviewStep", "Routing", "SalutationRule", "SearchDocument", "SearchKind",
    "RetentionClass", "Notification", "NotificationKind", "Reminder", "ReminderKind", "CommitteeRole",
    "DestructionLine", "DestructionList", "DestructionReview", "DestructionState", "ArchivesAnswer",
    "DestructionCommitteeMember",
    "AckStatus", "Direction", "ExchangeAck", "ExchangeLog", "ExchangeMessage", "ExchangePeer", "MessageKind",
    "Outcome", "ReceivedAttachment", "IntakeAddress", "ReceivedMail",
    "OutboxChannel", "OutboxMessage", "OutboxState",
]
