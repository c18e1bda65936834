"""Changes made in /admin/ are custody lines, as the command line's are: the data-protection officer sees
who gave whom a role or the superuser flag, and the custody log still verifies."""

from __future__ import annotations


def _user_form(user) -> dict[str, object]:
    """The admin's change form of ``user`` as a browser would send it back unchanged."""
    from station.models import Account

    account = Account.objects.filter(user=user).first()
    return {"account-TOTAL_FORMS": "1", "account-INITIAL_FORMS": "1" if account else "0",
            "account-MIN_NUM_FORMS": "0", "account-MAX_NUM_FORMS": "1",
            "account-0-personnel_number": account.personnel_number if account else "",
            "account-0-id": str(account.pk) if account else "", "account-0-user": str(user.pk),
            "username": user.username, "first_name": "", "last_name": "", "email": "",
            "is_active": "on" if user.is_active else "", "is_staff": "on" if user.is_staff else "",
            "is_superuser": "on" if user.is_superuser else "",
            "groups": [str(g) for g in user.groups.values_list("pk", flat=True)],
            "last_login_0": "", "last_login_1": "",
            "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
            "date_joined_1": user.date_joined.strftime("%H:%M:%S")}


def _lines(web, action: str):
    from station.models import CustodyEntry

    return list(CustodyEntry.objects.filter(action=action).order_by("seq"))


def test_a_superuser_flag_and_a_role_given_in_the_admin_are_custody_lines_and_the_log_verifies(web):
    from django.contrib.auth.models import Group, User

    from station import custody

    worker = User.objects.get(username="case-worker")
    form = _user_form(worker) | {"is_superuser": "on", "is_staff": "on",
                                 "groups": [str(Group.objects.get(name="approver").pk)]}
    response = web.client("admin").post(f"/admin/auth/user/{worker.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    (line,) = _lines(web, "admin-user-changed")
    assert (line.actor, line.subject) == ("admin", "case-worker")
    assert line.details["superuser"] is True and line.details["staff"] is True
    assert line.details["roles"] == ["approver"], "the roles after the change, not before"
    assert "Superuser status" in str(line.details["change"]) and "Groups" in str(line.details["change"])
    check = custody.verify(web.store.db, web.store.station_public())
    assert check.problems == []


def test_a_user_added_or_deleted_in_the_admin_is_a_custody_line(web):
    from django.contrib.auth.models import User

    client = web.client("admin")
    response = client.post("/admin/auth/user/add/", {"username": "neu", "password1": "Kamera-Neu-2026!x",
                                                     "password2": "Kamera-Neu-2026!x", "usable_password": "true"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert [(line.actor, line.subject) for line in _lines(web, "admin-user-added")] == [("admin", "neu")]
    new = User.objects.get(username="neu")
    assert client.post(f"/admin/auth/user/{new.pk}/delete/", {"post": "yes"}).status_code == 302
    (deleted,) = _lines(web, "admin-user-deleted")
    assert deleted.subject == "neu" and deleted.details["superuser"] is False
    assert not User.objects.filter(username="neu").exists()


def test_a_personnel_number_changed_in_the_admin_is_a_custody_line_and_stays_one_persons(web):
    from django.contrib.auth.models import User

    worker = User.objects.get(username="case-worker")
    client = web.client("admin")
    taken = client.post(f"/admin/auth/user/{worker.pk}/change/",
                        _user_form(worker) | {"account-0-personnel_number": "P-0002"})  # the approver's
    assert taken.status_code == 200 and worker.account.personnel_number == "P-0001"
    assert _lines(web, "admin-user-changed") == []
    changed = client.post(f"/admin/auth/user/{worker.pk}/change/",
                          _user_form(worker) | {"account-0-personnel_number": "P-4711"})
    assert changed.status_code == 302, changed.content.decode()[:2000]
    (line,) = _lines(web, "admin-user-changed")
    assert line.details["personnel_number"] == "P-4711"


def test_a_role_changed_in_the_admin_names_its_members(web):
    from django.contrib.auth.models import Group

    group = Group.objects.get(name="approver")
    response = web.client("admin").post(f"/admin/auth/group/{group.pk}/change/", {"name": "approver",
                                                                                  "permissions": []})
    assert response.status_code == 302
    (line,) = _lines(web, "admin-role-changed")
    assert line.subject == "approver" and line.details["members"] == ["approver"]


def test_a_camera_changed_in_the_admin_is_a_custody_line_and_its_keys_stay_as_enrolled(web):
    from station.models import Device

    device = web.device
    client = web.client("admin")
    form = {"name": device.name, "host": "cam-01.dock", "port": "2222", "ssh_user": device.ssh_user,
            "key_id": "0" * 16, "public_key": "forged", "host_key": "ssh-ed25519 forged"}  # pool unticked
    assert client.post(f"/admin/station/device/{device.pk}/change/", form).status_code == 302
    stored = Device.objects.get(pk=device.pk)
    assert (stored.host, stored.port, stored.pool) == ("cam-01.dock", 2222, False)
    assert (stored.key_id, stored.public_key, stored.host_key) == (device.key_id, device.public_key, device.host_key)
    (line,) = _lines(web, "admin-device-changed")
    assert line.details["host"] == "cam-01.dock" and line.details["key_id"] == device.key_id
    assert line.details["pool"] is False, "a personal camera now"
    assert client.get("/admin/station/device/add/").status_code == 403
    assert client.post(f"/admin/station/device/{device.pk}/delete/", {"post": "yes"}).status_code == 403


def test_only_the_administrator_reaches_the_admin(web):
    for role in ("case-worker", "approver", "evidence-officer", "data-protection"):
        assert web.client(role).get("/admin/auth/user/").status_code == 302, role  # to the admin's login


def test_the_administrator_gives_a_personal_camera_to_its_officer_as_a_custody_line(web):
    from django.utils import timezone

    from station.models import Assignment, Device, Officer

    anna = Officer.objects.create(personnel_number="4711", name="Anna Berg")
    client, device = web.client("admin"), web.device
    since = timezone.localtime().strftime("%Y-%m-%d %H:%M:%S")
    form = {"device": device.pk, "officer": anna.pk, "started_at_0": since[:10], "started_at_1": since[11:]}
    page = client.post("/admin/station/assignment/add/", form)
    assert page.status_code == 200 and Assignment.objects.count() == 0, "a pool camera is not given away"
    Device.objects.filter(pk=device.pk).update(pool=False)
    assert client.post("/admin/station/assignment/add/", form).status_code == 302
    fixed = Assignment.objects.get()
    assert (fixed.mode, fixed.officer, fixed.started_by) == (Assignment.FIXED, anna, "admin")
    (line,) = _lines(web, "admin-assignment-added")
    assert line.subject == device.name and line.details["officer"] == "4711" and line.details["mode"] == "fixed"

    again = client.post("/admin/station/assignment/add/", form).content.decode()
    assert "diese Zuordnung zuerst beenden" in again
    assert Assignment.objects.count() == 1
    assert client.post(f"/admin/station/assignment/{fixed.pk}/delete/", {"post": "yes"}).status_code == 403


def test_the_admin_lists_personal_cameras_only_never_the_pools_shift_history(web):
    from django.utils import timezone

    from station.models import Assignment, Officer

    ben = Officer.objects.create(personnel_number="0815", name="Ben Kaya")
    Assignment.objects.create(device=web.device, officer=ben, started_at=timezone.now(), started_by="badge")
    listed = web.client("admin").get("/admin/station/assignment/").content.decode()
    assert "Ben Kaya" not in listed


def test_the_administrator_sets_an_officers_kiosk_pin_kept_only_as_a_hash_and_never_logged(web):
    from station.models import Officer

    anna = Officer.objects.create(personnel_number="4711", name="Anna Berg")
    client, change = web.client("admin"), f"/admin/station/officer/{anna.pk}/change/"
    badges = {"badges-TOTAL_FORMS": "0", "badges-INITIAL_FORMS": "0", "badges-MIN_NUM_FORMS": "0",
              "badges-MAX_NUM_FORMS": "1000"}  # the badges shown, read only
    for pin, again, why in (("12a4", "12a4", "Eine PIN hat 4 bis 8 Ziffern."), ("123", "123", "Eine PIN hat 4 bis 8"),
                            ("1234", "1243", "Die beiden PINs stimmen nicht überein.")):
        page = client.post(change, {"new_pin": pin, "new_pin_again": again, **badges})
        assert page.status_code == 200 and why in page.content.decode(), pin
    assert Officer.objects.get(pk=anna.pk).pin == ""
    assert client.post(change, {"new_pin": "482913", "new_pin_again": "482913", **badges}).status_code == 302
    stored = Officer.objects.get(pk=anna.pk).pin
    assert stored.startswith("argon2$") and "482913" not in stored
    (line,) = _lines(web, "admin-officer-changed")
    assert line.subject == "Anna Berg (4711)" and line.details["kiosk_pin"] == "set"
    assert "482913" not in str(line.details)
    assert client.get("/admin/station/officer/add/").status_code == 403, "officers come from the personnel list"
    assert client.post(f"/admin/station/officer/{anna.pk}/delete/", {"post": "yes"}).status_code == 403
    assert "Anna Berg" in client.get("/admin/station/officer/").content.decode()

