"""Configuration from the environment.

SAMVERKAN_ENV is `production` (the default: strict), `development` (what `make run`
sets: mail to the log, cookies without the Secure flag on plain http) or `testing`.
"""
from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class ConfigError(RuntimeError):
    pass


def load_config(instance_path: str, overrides: dict | None = None) -> dict:
    env = (overrides or {}).get("ENV_NAME") or os.environ.get("SAMVERKAN_ENV", "production")
    strict = env == "production"
    secret = os.environ.get("SECRET_KEY")
    if not secret:
        if strict and not (overrides or {}).get("SECRET_KEY"):
            raise ConfigError("SECRET_KEY must be set outside development and tests")
        secret = "dev-only-not-secret"
    default_db = "sqlite:///" + str(Path(instance_path) / "samverkan.sqlite3")
    cfg: dict = {
        "ENV_NAME": env,
        "SECRET_KEY": secret,
        "SQLALCHEMY_DATABASE_URI": os.environ.get("DATABASE_URL", default_db),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": strict,
        "REMEMBER_COOKIE_SECURE": strict,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
        "WTF_CSRF_TIME_LIMIT": None,
        "WTF_CSRF_HEADERS": ["X-CSRFToken"],
        "BABEL_DEFAULT_LOCALE": "sv",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Stockholm",
        "BABEL_TRANSLATION_DIRECTORIES": str(ROOT / "workspace" / "translations"),
        "LANGUAGES": ["sv", "en"],
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_ENABLED": True,
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "10 per minute"),
        "MAIL_SERVER": os.environ.get("MAIL_SERVER"),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "587")),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME"),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD"),
        "MAIL_USE_TLS": os.environ.get("MAIL_USE_TLS", "1") == "1",
        "MAIL_FROM": os.environ.get("MAIL_FROM", "Samverkan <noreply@samverkan.example>"),
        # "background": a thread of each process sends after the commit; "inline": the request
        # sends before it answers (the tests, for determinism).
        "MAIL_DELIVERY": os.environ.get("MAIL_DELIVERY", "inline" if env == "testing" else "background"),
        "PUBLIC_URL": os.environ.get("PUBLIC_URL", "http://127.0.0.1:5000"),
        "INVITATION_VALID_FOR": timedelta(days=7),
        "PASSWORD_RESET_VALID_FOR": timedelta(hours=2),
        # argon2 cost; tests lower it, everything else keeps the library's defaults.
        "ARGON2_PARAMS": {},
        "EVENTS_PER_PAGE": 50,
        # Rendered section lists of paper pages kept per worker process, in MB (0: none).
        "SECTION_CACHE_MB": int(os.environ.get("SECTION_CACHE_MB", "128")),
        "ACCESSIBILITY_CONTACT": os.environ.get("ACCESSIBILITY_CONTACT", "tillganglighet@samverkan.example"),
        "REPORT_RATE_LIMIT": os.environ.get("REPORT_RATE_LIMIT", "5 per hour"),
    }
    if overrides:
        cfg.update(overrides)
    return cfg
