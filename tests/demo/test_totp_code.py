"""`manage.py totp_code`: the demo staff's current code, and never a real person's."""

import pytest
from django.core.management import CommandError, call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import UserFactory
from tests.second_factor import code_for
from tremplin.demo.seed import DEMO_TOTP_KEY, demo_device


def test_it_prints_the_current_code_of_a_demo_device(db, capsys):
    user = UserFactory(manager=True, email="gestionnaire@demo.example.fr", second_factor=False)
    device = demo_device(user)
    assert device.key == DEMO_TOTP_KEY
    call_command("totp_code", user.email)
    assert capsys.readouterr().out.strip() == code_for(device)


def test_it_refuses_a_device_with_another_key(db, manager, capsys):
    assert TOTPDevice.objects.get(user=manager).key != DEMO_TOTP_KEY
    with pytest.raises(CommandError, match="not the demo key"):
        call_command("totp_code", manager.email)
    assert capsys.readouterr().out == ""


def test_owners_get_no_demo_device(owner):
    assert demo_device(owner) is None
