"""The built-in offline labeller, split along its seams:

- `features`: text → n-grams with spans, and the VADER-style rule score (shared with training);
- `model`: the model file, scoring a text into calibrated probabilities and signed spans;
- `calibration`: probabilities → label and confidence (neutral when unsure, inquiries, caps);
- `keywords`: spans → keywords, and the one-sentence explanation;
- `labeler`: `OfflineLabeler`, which routes each text and puts the pieces together.
"""

from bot.labelers.offline.labeler import CHUNK, OfflineLabeler, Scored, score
from bot.labelers.offline.model import MODEL_FORMAT, SHIPPED_MODEL_PATH

__all__ = ["CHUNK", "MODEL_FORMAT", "SHIPPED_MODEL_PATH", "OfflineLabeler", "Scored", "score"]
