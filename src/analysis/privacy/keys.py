"""The pseudonymisation key: where it lives, how it is made once per machine, how it is read.

One job: the secret of the keyed pseudonyms. A new key is 256 random bits (the output size of SHA-256,
RFC 2104 §3), written with mode 0600 to the user's config directory (XDG Base Directory Specification),
never inside a git working tree; :data:`KEY_ENV` may hold it instead (hex). A lost or replaced key breaks
the linkage of phase 1, phase 2 and later cohorts for good (``docs/privacy.md``).
"""

from __future__ import annotations

import os
import secrets
import warnings
from pathlib import Path

from analysis.errors import ConfigError, KeyMissingError

KEY_ENV = "TRACER_PSEUDONYM_KEY"
"""Environment variable that may hold the key (hex); it takes precedence over the key file."""

KEY_BYTES = 32
"""Length of a new key: 256 random bits, the output size of SHA-256 (RFC 2104 §3)."""

_MIN_KEY_BYTES = 16


def key_path() -> Path:
    """Default location of the pseudonymisation key file, in the user's config directory.

    Returns
    -------
    Path
        ``$XDG_CONFIG_HOME/tracer/pseudonym.key``, or ``~/.config/tracer/pseudonym.key`` when
        ``XDG_CONFIG_HOME`` is unset (XDG Base Directory Specification 0.8). Never inside the
        repository.
    """
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "tracer" / "pseudonym.key"


def _git_worktree(path: Path) -> Path | None:
    """The git working tree that would contain ``path``, if any."""
    for parent in path.resolve().parents:
        if (parent / ".git").exists():
            return parent
    return None


def init_key(path: str | Path | None = None, force: bool = False) -> Path:
    """Create a new random pseudonymisation key file (32 random bytes, hex, mode 0600).

    Parameters
    ----------
    path
        Where to write it; default :func:`key_path`. A path inside a git working tree is
        refused: the key must never be committed.
    force
        Overwrite an existing key. **Overwriting breaks linkage**: pseudonyms made with the old
        key (earlier cohorts, phase 1 of the current one) no longer match new ones.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    ConfigError
        The file exists and ``force`` is false, or the path is inside a git working tree.
    """
    path = Path(path).expanduser() if path is not None else key_path()
    repo = _git_worktree(path)
    if repo is not None:
        raise ConfigError(
            f"{path}: refusing to write the pseudonymisation key inside the git working tree "
            f"{repo} — keys must never be committed; use the default location or another path"
        )
    if path.exists() and not force:
        raise ConfigError(
            f"{path}: a pseudonymisation key already exists — keep it; replacing it breaks the "
            f"linkage of pseudonyms across phases and cohorts (use --force only if the old key "
            f"must be retired)"
        )
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(path.name + f".tmp{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(secrets.token_hex(KEY_BYTES) + "\n")
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def _parse_key(text: str, source: str) -> bytes:
    text = text.strip()
    try:
        key = bytes.fromhex(text)
    except ValueError:
        raise ConfigError(
            f"{source}: the pseudonymisation key is not a hexadecimal string — "
            f"restore the original key file (tracer init-key writes 64 hex characters)"
        ) from None
    if len(key) < _MIN_KEY_BYTES:
        raise ConfigError(
            f"{source}: the pseudonymisation key has {len(key)} bytes, at least "
            f"{_MIN_KEY_BYTES} are required — restore the original key file"
        )
    return key


def load_key() -> bytes:
    """Load the pseudonymisation key: the ``TRACER_PSEUDONYM_KEY`` variable, else the key file.

    Returns
    -------
    bytes
        The key (the hex text decoded; 32 bytes for a key made by :func:`init_key`).

    Raises
    ------
    KeyMissingError
        Neither the variable nor the file :func:`key_path` exists (one-line message).
    ConfigError
        The key is not hex or shorter than 16 bytes.
    """
    env = os.environ.get(KEY_ENV, "").strip()
    if env:
        return _parse_key(env, f"environment variable {KEY_ENV}")
    path = key_path()
    if not path.is_file():
        raise KeyMissingError(
            f"no pseudonymisation key: {path} does not exist and {KEY_ENV} is not set — "
            f"run `tracer init-key` once (then back the key up), or set {KEY_ENV} to the "
            f"team's key"
        )
    if os.name == "posix" and path.stat().st_mode & 0o077:
        warnings.warn(
            f"{path}: the pseudonymisation key is readable by other users; run chmod 600 on it",
            stacklevel=2,
        )
    return _parse_key(path.read_text(encoding="ascii", errors="replace"), str(path))


# --------------------------------------------------------------------------------------------
