"""What every CSV download shares."""


def safe_cell(value):
    """A spreadsheet runs a cell that starts with = + - @ as a formula: such text gets a quote first."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
