#!/usr/bin/env bash
# The README's image-quantisation example, run as written on a fresh copy of the repository (the
# files git knows, no node_modules, build or dist): its install line once failed there with
# `tsc: not found`, because the example links to the repository root, whose build needs the
# root's install first. Needs the npm registry (pngjs).
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

git ls-files -z --cached --others --exclude-standard |
  while IFS= read -r -d '' file; do [ -e "$file" ] && printf '%s\0' "$file"; done |
  tar --null -T - -cf - | tar -xf - -C "$work"

# The first sh block after the example's heading.
commands=$(awk '/^## Example: quantising an image/ { found = 1 } found && /^```sh$/ { inside = 1; next } inside && /^```$/ { exit } inside' README.md)
[ -n "$commands" ] || { echo "no sh block under the README's image example" >&2; exit 1; }
echo "$commands"

# The user's own photo.png: the example's input picture.
cp examples/quantize-image/output/kodim23.png "$work/examples/quantize-image/photo.png"
(cd "$work" && bash -euo pipefail -c "$commands") > "$work.log" 2>&1 || { cat "$work.log"; rm -f "$work.log"; exit 1; }
rm -f "$work.log"

out="$work/examples/quantize-image"
# An indexed PNG (colour type 3 in the header) and a palette of 16 colours.
[ "$(od -An -tu1 -j25 -N1 "$out/photo-16.png" | tr -d ' ')" = 3 ] || { echo "photo-16.png is not an indexed PNG" >&2; exit 1; }
node -e "
  const summary = JSON.parse(require('node:fs').readFileSync(process.argv[1], 'utf8'));
  if (summary.colors !== 16 || summary.palette.length !== 16) throw new Error('palette of ' + summary.palette.length + ' colours');
" "$out/photo-16-palette.json"
echo "the README's image example runs as written on a fresh copy"
