"""Time one BiLSTM pass of the default model's shape in float32, bfloat16 and PyTorch's int8
dynamic quantization, on the libtorch kernels textserve links (one thread, as each of its
inference workers runs).

The default model's LSTM reads 192-wide inputs (token embedding 128 + bigram embedding 64) into
128 hidden units per direction; a pass of 64 texts of 68 tokens is the mean length of the
review corpus. Run with the peer's Python (scripts/peer-bench.sh sets it up):

    ~/.cache/textserve/peer-venv/bin/python benches/lstm_precision.py
"""

import time
import warnings

import torch

INPUT, HIDDEN, TEXTS, TOKENS = 192, 128, 64, 68
REPEATS = 30


def milliseconds(run):
    run()
    start = time.perf_counter()
    for _ in range(REPEATS):
        run()
    return (time.perf_counter() - start) / REPEATS * 1000


def main():
    torch.set_num_threads(1)
    torch.manual_seed(0)
    lstm = torch.nn.LSTM(INPUT, HIDDEN, batch_first=True, bidirectional=True).eval()
    x = torch.randn(TEXTS, TOKENS, INPUT)
    with torch.inference_mode():
        reference = lstm(x)[0]
        rows = [("float32 (oneDNN)", milliseconds(lambda: lstm(x)), 0.0)]

        bf16 = torch.nn.LSTM(INPUT, HIDDEN, batch_first=True, bidirectional=True).eval()
        bf16.load_state_dict(lstm.state_dict())
        bf16 = bf16.to(torch.bfloat16)
        xb = x.to(torch.bfloat16)
        change = (bf16(xb)[0].float() - reference).abs().max().item()
        rows.append(("bfloat16 (oneDNN)", milliseconds(lambda: bf16(xb)), change))

        # quantize_dynamic replaces submodules, never the module it is given.
        holder = torch.nn.Module()
        holder.lstm = lstm
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            int8 = torch.ao.quantization.quantize_dynamic(
                holder, {torch.nn.LSTM}, dtype=torch.qint8
            ).lstm
        assert type(int8) is not torch.nn.LSTM, "the LSTM was not quantized"
        change = (int8(x)[0] - reference).abs().max().item()
        rows.append(("int8 dynamic (fbgemm)", milliseconds(lambda: int8(x)), change))

    print(f"torch {torch.__version__}, {TEXTS} texts × {TOKENS} tokens, BiLSTM {INPUT}→{HIDDEN}, 1 thread\n")
    print("| precision | ms per pass | × float32 | largest output change |")
    print("|---|---:|---:|---:|")
    base = rows[0][1]
    for name, ms, change in rows:
        print(f"| {name} | {ms:.2f} | {base / ms:.2f} | {change:.2e} |")


if __name__ == "__main__":
    main()
