"""Hardware adapters: one small module per device; they take and return primitives and never
import `kiosk`."""
