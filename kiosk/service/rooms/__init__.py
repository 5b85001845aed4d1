"""The centre's use cases by room, each registered with `kiosk.service.usecases.use_case`."""
