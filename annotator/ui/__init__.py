"""The Qt user interface: the only part of annotator that imports PySide6."""
