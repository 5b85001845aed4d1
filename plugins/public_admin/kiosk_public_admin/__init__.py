"""Public-administration content for the kiosk: the `case_study` question type (jogeset) and the
szakvizsga oral topic cards (tételek)."""
