"""Device adapters: one small module per device; they never import `kiosk`."""
