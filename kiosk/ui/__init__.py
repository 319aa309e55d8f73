"""The touch UI (Textual). It shows `kiosk.outcome.View`s and sends touches; it never talks to
drivers or the store."""
