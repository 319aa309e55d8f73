"""Hardware adapters. Each module speaks primitives and never imports `kiosk`."""
