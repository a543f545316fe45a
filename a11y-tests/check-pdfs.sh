#!/usr/bin/env bash
# Checks every PDF of a folder with poppler: tagged, language set, fonts embedded as
# subsets with a ToUnicode map, text extractable. Prints one line per file.
# Usage: a11y-tests/check-pdfs.sh DIR   (needs poppler-utils: pdfinfo, pdffonts, pdftotext)
set -euo pipefail
dir="${1:?usage: check-pdfs.sh DIR}"
shopt -s nullglob
files=("$dir"/*.pdf)
[ "${#files[@]}" -gt 0 ] || { echo "no PDF in $dir: the crawl found none" >&2; exit 1; }
failed=0
for f in "${files[@]}"; do
  name="$(basename "$f")"
  problems=()
  info="$(pdfinfo "$f" 2>&1)" || problems+=("pdfinfo cannot read it")
  grep -q '^Tagged: *yes' <<<"$info" || problems+=("not tagged")
  grep -q '^Title: *[^ ]' <<<"$info" || problems+=("no title")
  # Fonts: columns emb, sub, uni must all be "yes" on every row.
  bad_fonts="$(pdffonts "$f" | tail -n +3 | awk '{ n=NF; if ($(n-4)!="yes" || $(n-3)!="yes" || $(n-2)!="yes") print $1 }')"
  [ -z "$bad_fonts" ] || problems+=("fonts not embedded/subset/unicode: $bad_fonts")
  [ "$(pdffonts "$f" | tail -n +3 | wc -l)" -gt 0 ] || problems+=("no font")
  text="$(pdftotext "$f" - 2>/dev/null)"
  [ -n "$(tr -d '[:space:]' <<<"$text")" ] || problems+=("no extractable text")
  case "$name" in
    *duplicata*) grep -q '€' <<<"$text" || problems+=("no amount in the extracted text") ;;
  esac
  grep -aq '/Lang (fr-FR)' "$f" || problems+=("no /Lang fr-FR")
  if [ "${#problems[@]}" -eq 0 ]; then
    echo "ok   $name ($(stat -c %s "$f") bytes, $(grep -c . <<<"$text") lines of text)"
  else
    echo "FAIL $name: ${problems[*]}"
    failed=1
  fi
done
echo "pdf: ${#files[@]} checked, $([ $failed -eq 0 ] && echo 'all good' || echo 'some failed')"
exit $failed
