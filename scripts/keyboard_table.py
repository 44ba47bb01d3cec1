"""Print the Markdown table of the workspace's keys, from the shortcut registry (docs/coding.md)."""

from rupture_coder.shortcuts import SHORTCUTS


def table() -> str:
    lines = ["| keys | what it does | group |", "| --- | --- | --- |"]
    lines += [f"| `{s.keys}` | {s.description} | {s.group} |" for s in SHORTCUTS]
    return "\n".join(lines)


if __name__ == "__main__":
    print(table())
