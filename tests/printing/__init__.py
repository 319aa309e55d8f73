"""Tests for receipts, labels, the ESC/POS driver and the print queue."""
