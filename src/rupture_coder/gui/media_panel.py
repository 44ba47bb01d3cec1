"""Media behind a small interface (QtMultimedia): play/pause, seek, speed 0.5-2x, jump back."""

from __future__ import annotations

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from rupture_coder.gui.buttons import on_click
from rupture_coder.timestamps import format_timestamp

SPEEDS = (0.5, 0.75, 1.0, 1.25, 1.5, 2.0)


class MediaPanel(QWidget):
    position_changed = Signal(float)  # seconds on the media clock

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("mediaPanel")
        from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer
        from PySide6.QtMultimediaWidgets import QVideoWidget

        self.player = QMediaPlayer(self)
        self.audio = QAudioOutput(self)
        self.player.setAudioOutput(self.audio)
        self.video = QVideoWidget()
        self.video.setMinimumHeight(160)
        self.player.setVideoOutput(self.video)
        self.play_button = QPushButton("Play")
        on_click(self.play_button, self.toggle)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.sliderMoved.connect(lambda ms: self.seek(ms / 1000))
        self.time = QLabel("00:00:00")
        self.speed = QComboBox()
        for s in SPEEDS:
            self.speed.addItem(f"{s:g}x", s)
        self.speed.setCurrentIndex(SPEEDS.index(1.0))
        self.speed.currentIndexChanged.connect(
            lambda _i: self.player.setPlaybackRate(self.speed.currentData())
        )
        controls = QHBoxLayout()
        for widget in (self.play_button, self.slider, self.time, self.speed):
            controls.addWidget(widget)
        layout = QVBoxLayout(self)
        layout.addWidget(self.video, 1)
        layout.addLayout(controls)
        self.player.positionChanged.connect(self._on_position)
        self.player.durationChanged.connect(lambda ms: self.slider.setRange(0, ms))
        self.player.playbackStateChanged.connect(self._on_state)

    def load(self, path: str | None) -> None:
        self.player.setSource(QUrl.fromLocalFile(path) if path else QUrl())

    def position(self) -> float:
        return self.player.position() / 1000

    def seek(self, seconds: float) -> None:
        self.player.setPosition(int(max(seconds, 0) * 1000))

    def jump(self, seconds: float) -> None:
        self.seek(self.position() + seconds)

    def step_speed(self, step: int) -> None:
        self.speed.setCurrentIndex(min(max(self.speed.currentIndex() + step, 0), len(SPEEDS) - 1))

    def toggle(self) -> None:
        from PySide6.QtMultimedia import QMediaPlayer

        if self.player.playbackState() == QMediaPlayer.PlaybackState.PlayingState:
            self.player.pause()
        else:
            self.player.play()

    def _on_position(self, ms: int) -> None:
        if not self.slider.isSliderDown():
            self.slider.setValue(ms)
        self.time.setText(format_timestamp(ms / 1000))
        self.position_changed.emit(ms / 1000)

    def _on_state(self, state) -> None:
        from PySide6.QtMultimedia import QMediaPlayer

        self.play_button.setText(
            "Pause" if state == QMediaPlayer.PlaybackState.PlayingState else "Play"
        )
