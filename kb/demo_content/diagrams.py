"""Diagrams for the demo pages, drawn with Pillow so the demo ships no binary files."""

import io

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 960, 400
BOX_W, BOX_H = 220, 86
NOT_BILLED = "#e8f1fb"
BILLED = "#fdf0dc"
FINAL = "#eeeeee"
INK = "#1f2933"
ARROW = "#4a5a6a"

# name, billing note, fill, (column, row)
STATES = [
    ("Inventory", "not billed, no service", NOT_BILLED, (0, 0)),
    ("Test ready", "test allowance, not billed", NOT_BILLED, (1, 0)),
    ("Activation ready", "billed from first use", NOT_BILLED, (2, 0)),
    ("Activated", "monthly fee + usage", BILLED, (2, 1)),
    ("Deactivated", "no service, fee stops", NOT_BILLED, (1, 1)),
    ("Retired", "permanent, no service", FINAL, (0, 1)),
]
# The usual path through the lifecycle, plus reactivation.
ARROWS = [
    ("Inventory", "Test ready"),
    ("Test ready", "Activation ready"),
    ("Activation ready", "Activated"),
    ("Activated", "Deactivated"),
    ("Deactivated", "Retired"),
]


def _box(column: int, row: int) -> tuple[int, int, int, int]:
    left = 60 + column * 310
    top = 60 + row * 170
    return left, top, left + BOX_W, top + BOX_H


def _arrow(draw: ImageDraw.ImageDraw, start, end) -> None:
    draw.line([start, end], fill=ARROW, width=3)
    (x1, y1), (x2, y2) = start, end
    size = 11
    if x1 == x2:  # vertical
        direction = 1 if y2 > y1 else -1
        head = [(x2, y2), (x2 - size, y2 - direction * size), (x2 + size, y2 - direction * size)]
    else:
        direction = 1 if x2 > x1 else -1
        head = [(x2, y2), (x2 - direction * size, y2 - size), (x2 - direction * size, y2 + size)]
    draw.polygon(head, fill=ARROW)


def sim_lifecycle_png() -> tuple[bytes, int, int]:
    """The SIM lifecycle as a PNG: states, billing notes and the usual transitions."""
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    title_font = ImageFont.load_default(size=22)
    note_font = ImageFont.load_default(size=15)
    boxes = {name: _box(*cell) for name, _, _, cell in STATES}
    for name, note, fill, _ in STATES:
        left, top, right, bottom = boxes[name]
        draw.rounded_rectangle(boxes[name], radius=12, fill=fill, outline=INK, width=2)
        centre = (left + right) // 2
        draw.text((centre, top + 30), name, font=title_font, fill=INK, anchor="mm")
        draw.text((centre, top + 60), note, font=note_font, fill=INK, anchor="mm")
    for source, target in ARROWS:
        s_left, s_top, s_right, s_bottom = boxes[source]
        t_left, t_top, t_right, t_bottom = boxes[target]
        if s_top == t_top:  # same row
            y = (s_top + s_bottom) // 2
            if t_left > s_left:
                start, end = (s_right, y), (t_left, y)
            else:
                start, end = (s_left, y), (t_right, y)
        else:  # down a row, same column
            x = (s_left + s_right) // 2
            start, end = (x, s_bottom), (x, t_top)
        _arrow(draw, start, end)
    # Reactivation: Deactivated back to Activated, drawn below the boxes.
    d_left, _, d_right, d_bottom = boxes["Deactivated"]
    a_left, _, a_right, a_bottom = boxes["Activated"]
    d_x, a_x, y = (d_left + d_right) // 2, (a_left + a_right) // 2, d_bottom + 30
    draw.line([(d_x, d_bottom), (d_x, y), (a_x, y)], fill=ARROW, width=3, joint="curve")
    _arrow(draw, (a_x, y), (a_x, a_bottom))
    label_x = (d_right + a_left) // 2
    draw.text((label_x, y + 14), "reactivate", font=note_font, fill=INK, anchor="mm")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue(), WIDTH, HEIGHT


# key -> (title, draw function); pages refer to images by key (see builders.image).
DIAGRAMS = {
    "sim-lifecycle": ("SIM lifecycle states (diagram)", sim_lifecycle_png),
}
