// dlib's own shape_predictor timing on given boxes, the baseline of `finecliper bench face`.
// Reads raw RGB24 frames (all frames of a clip, decoded by ffmpeg) and "frame left top right bottom"
// box lines; prints the mean milliseconds per face over 5 rounds (image conversion not timed).
// Build: g++ -O2 -std=c++17 dlib_landmarks_time.cpp $(pkg-config --cflags --libs dlib-1)
#include <dlib/image_processing.h>
#include <chrono>
#include <fstream>
#include <iostream>
#include <vector>

int main(int argc, char **argv) {
    if (argc != 6) { std::cerr << "usage: MODEL WIDTH HEIGHT FRAMES.rgb BOXES.txt\n"; return 2; }
    dlib::shape_predictor sp;
    dlib::deserialize(argv[1]) >> sp;
    const long w = std::stol(argv[2]), h = std::stol(argv[3]);
    std::ifstream raw(argv[4], std::ios::binary), boxes(argv[5]);
    std::vector<unsigned char> frame(w * h * 3);
    long index, l, t, r, b, current = -1, faces = 0;
    double seconds = 0;
    dlib::array2d<dlib::rgb_pixel> img(h, w);
    while (boxes >> index >> l >> t >> r >> b) {
        while (current < index) {
            if (!raw.read(reinterpret_cast<char *>(frame.data()), frame.size())) { std::cerr << "short read\n"; return 1; }
            ++current;
        }
        for (long y = 0; y < h; ++y)
            for (long x = 0; x < w; ++x) {
                const unsigned char *p = &frame[(y * w + x) * 3];
                img[y][x] = dlib::rgb_pixel(p[0], p[1], p[2]);
            }
        const auto start = std::chrono::steady_clock::now();
        for (int round = 0; round < 5; ++round) {
            volatile long sink = sp(img, dlib::rectangle(l, t, r, b)).part(0).x();
            (void)sink;
        }
        seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        faces += 5;
    }
    std::cout << "{\"dlib_landmarks_ms\": " << seconds * 1000 / faces << ", \"faces\": " << faces / 5 << "}\n";
    return 0;
}
