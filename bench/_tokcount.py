"""Token counts with a ``tokenizer.json``; runs in the bench venv (``tokenizers`` lives only there).

    bench/.work/venv/bin/python bench/_tokcount.py TOKENIZER_JSON [--offsets] < texts.json > out.json

Reads a JSON list of texts and writes a JSON list of their token counts,
counted as the anthropic SDK 0.34 counted them: ``len(tokenizer.encode(text).ids)``;
with ``--offsets``, the ``[start, end]`` character offsets of each text's tokens.
"""

import json
import sys

from tokenizers import Tokenizer


def main() -> None:
    tok = Tokenizer.from_file(sys.argv[1])
    texts = json.load(sys.stdin)
    if "--offsets" in sys.argv[2:]:
        json.dump([tok.encode(t).offsets for t in texts], sys.stdout)
    else:
        json.dump([len(tok.encode(t).ids) for t in texts], sys.stdout)


if __name__ == "__main__":
    main()
