"""Records of งานสารบรรณ: reference data, letters, register books, incoming items and their audit."""
from correspondence.models.reference import SalutationRule
from correspondence.models.registers import BookKind, EntryStatus, RegisterBook, RegisterEntry
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
from correspondence.models.grants import (
    IncomingItemGroupGrant,
    IncomingItemUserGrant,
    LetterGroupGrant,
    LetterUserGrant,
)

__all__ = [
    "AccessLog", "BookKind", "Channel", "Enclosure", "EntryStatus", "IncomingItem", "IncomingItemGroupGrant",
    "IncomingItemUserGrant", "ItemState", "Letter", "LetterGroupGrant", "LetterKind", "LetterRecipient",
    "LetterReference", "LetterState", "LetterUserGrant", "Minute", "RecipientState", "RegisterBook",
    "RegisterEntry", "ReviewDecision", "ReviewStep", "Routing", "SalutationRule",
]
