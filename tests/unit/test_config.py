from datetime import timedelta

import pytest
from pydantic import ValidationError

from questline.config import settings_from_env


def test_defaults_apply_when_the_environment_is_empty():
    settings = settings_from_env({})
    assert settings.auth_mode == "apigateway"
    assert settings.dedupe_retention_days == 0


def test_durations_are_read_as_seconds():
    settings = settings_from_env({"MAX_EVENT_AGE_SECONDS": "3600", "MAX_FUTURE_SKEW_SECONDS": "60"})
    assert settings.max_event_age == timedelta(hours=1)
    assert settings.max_future_skew == timedelta(minutes=1)


def test_empty_variables_keep_the_defaults():
    assert settings_from_env({"REDIS_URL": ""}).redis_url is None


def test_an_invalid_value_names_the_setting():
    with pytest.raises(ValidationError, match="auth_mode"):
        settings_from_env({"AUTH_MODE": "none"})


def test_a_duration_that_is_not_a_number_names_the_variable():
    with pytest.raises(ValueError, match="MAX_EVENT_AGE_SECONDS"):
        settings_from_env({"MAX_EVENT_AGE_SECONDS": "a week"})


def test_trusted_award_sources_are_read_comma_separated_and_trimmed():
    settings = settings_from_env({"TRUSTED_AWARD_SOURCES": " billing.prizes, crm ,, "})
    assert settings.trusted_award_sources == ("billing.prizes", "crm")
    assert settings_from_env({"TRUSTED_AWARD_SOURCES": ""}).trusted_award_sources == ()
    assert settings_from_env({"TRUSTED_AWARD_SOURCES": " , "}).trusted_award_sources == ()
