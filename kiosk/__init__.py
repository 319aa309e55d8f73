"""crib-kiosk: self-service tool crib, gate and returns station.

`kiosk` holds the rules and orchestration as plain functions over plain data.
It never imports a hardware library; `kiosk.bootstrap` picks the drivers.
"""

__version__ = "0.1.0"
