"""Password rules after OWASP ASVS level 1: length only, no composition rules."""

MIN_LENGTH = 8
# bcrypt silently ignores everything past 72 bytes; refuse rather than truncate.
MAX_BYTES = 72


def password_problem(password: str) -> str | None:
    """Why password is refused, or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return f"Password must have at least {MIN_LENGTH} characters."
    if len(password.encode("utf-8")) > MAX_BYTES:
        return f"Password must be at most {MAX_BYTES} bytes (a long passphrase of plain words fits)."
    return None
