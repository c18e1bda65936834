"""The roles of the evidence office's application (Django groups of these names); importable without Django."""

CASE_WORKER, APPROVER, EVIDENCE_OFFICER, DATA_PROTECTION, ADMIN = (
    "case-worker", "approver", "evidence-officer", "data-protection", "admin")
ALL_ROLES = (CASE_WORKER, APPROVER, EVIDENCE_OFFICER, DATA_PROTECTION, ADMIN)
