"""Hardware and network adapters: one small module per device; never imports `kiosk`."""
