"""Portal-to-portal exchange: signed HTTP requests between e-saraban systems (domain notes §8)."""
