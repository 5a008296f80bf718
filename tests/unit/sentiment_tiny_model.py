"""A tiny randomly initialised BERT classifier folder with a real converted tokenizer, so
scorer and CLI behaviour can be tested without the built model."""

from __future__ import annotations

from pathlib import Path

from monitors.sentiment.convert import save_tokenizer
from monitors.sentiment.e5_file import E5Tokenizer

SPECIALS = ["<s>", "<pad>", "</s>", "<unk>"]
PIECES = [*SPECIALS, "▁", *"保险公司理赔拒投诉好服务快慢骗子罚款业绩增长", "▁good", "▁bad", "!"]


def write_tiny_model(
    folder: Path, labels: tuple[str, ...] = ("negative", "neutral", "positive"), seed: int = 0
) -> Path:
    """Save a 1-layer, 16-wide BERT classifier and its tokenizer into `folder`."""
    import torch
    from transformers import BertConfig, BertForSequenceClassification

    scores = [0.0] * len(SPECIALS) + [-float(i) / 10 for i in range(len(PIECES) - len(SPECIALS))]
    tok = E5Tokenizer(PIECES, scores, bos=0, eos=2, pad=1, unk=3, normalisation={0xFF01: "!"})
    torch.manual_seed(seed)
    config = BertConfig(
        vocab_size=len(PIECES),
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=64,
        pad_token_id=1,
        num_labels=len(labels),
        id2label=dict(enumerate(labels)),
        label2id={name: i for i, name in enumerate(labels)},
    )
    model = BertForSequenceClassification(config).eval()
    with torch.no_grad():  # make the head's outputs differ clearly between texts
        model.classifier.weight.mul_(50)
    model.save_pretrained(str(folder))
    save_tokenizer(tok, folder, max_length=64)
    return folder
