"""The examiner app (`kiosk mark`): marking queue, rubric marking, item statistics."""
