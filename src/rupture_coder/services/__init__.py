"""The service layer: commands, undo/redo, audit and change notices."""

from rupture_coder.errors import NothingToUndo, UndoConflict
from rupture_coder.services.recorder import RowChange
from rupture_coder.services.service import ChangeSet, Command, ProjectService

__all__ = ["ChangeSet", "Command", "NothingToUndo", "ProjectService", "RowChange", "UndoConflict"]
