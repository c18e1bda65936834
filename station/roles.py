"""The roles of the evidence office's application (Django groups of these names); importable without Django."""

CASE_WORKER, APPROVER, EVIDENCE_OFFICER, DATA_PROTECTION, ADMIN = (
    "case-worker", "approver", "evidence-officer", "data-protection", "admin")
ALL_ROLES = (CASE_WORKER, APPROVER, EVIDENCE_OFFICER, DATA_PROTECTION, ADMIN)
"""The evidence office's roles: each sees the office's pages."""
KIOSK = "dock-kiosk"
"""The dock's screen: the kiosk page (check-out by personnel number and PIN) and nothing else."""
CONTROL_ROOM = "control-room"
"""The town's control room (Leitstelle): the cameras' status and alerts, and nothing else."""
ASSIGNABLE_ROLES = (*ALL_ROLES, KIOSK, CONTROL_ROOM)
