// Reference 68-point landmarks from dlib itself, for the Swift ERT port. Reads raw RGB24 frames
// (decoded by the ffmpeg program, which the Swift reader matches byte for byte), finds faces with
// dlib's HOG detector, runs shape_predictor_68_face_landmarks.dat on each box, and prints one JSON
// object per face: {"name", "box": [l, t, r, b], "points": [[x, y] * 68]}.
// Build: g++ -O2 -std=c++17 dlib_landmarks.cpp $(pkg-config --cflags --libs dlib-1) -o dlib_landmarks
// Run:   dlib_landmarks MODEL NAME WIDTH HEIGHT FRAME.rgb [NAME WIDTH HEIGHT FRAME.rgb ...]
#include <dlib/image_processing.h>
#include <dlib/image_processing/frontal_face_detector.h>
#include <fstream>
#include <iostream>
#include <vector>

int main(int argc, char **argv) {
    if (argc < 6 || (argc - 2) % 4 != 0) {
        std::cerr << "usage: dlib_landmarks MODEL NAME WIDTH HEIGHT FRAME.rgb [...]\n";
        return 2;
    }
    dlib::shape_predictor sp;
    dlib::deserialize(argv[1]) >> sp;
    dlib::frontal_face_detector detector = dlib::get_frontal_face_detector();
    for (int a = 2; a + 3 < argc; a += 4) {
        const std::string name = argv[a];
        const long w = std::stol(argv[a + 1]), h = std::stol(argv[a + 2]);
        std::ifstream in(argv[a + 3], std::ios::binary);
        std::vector<unsigned char> raw(w * h * 3);
        if (!in.read(reinterpret_cast<char *>(raw.data()), raw.size())) {
            std::cerr << argv[a + 3] << ": short read\n";
            return 1;
        }
        dlib::array2d<dlib::rgb_pixel> img(h, w);
        for (long y = 0; y < h; ++y)
            for (long x = 0; x < w; ++x) {
                const unsigned char *p = &raw[(y * w + x) * 3];
                img[y][x] = dlib::rgb_pixel(p[0], p[1], p[2]);
            }
        for (const dlib::rectangle &box : detector(img)) {
            const dlib::full_object_detection shape = sp(img, box);
            std::cout << "{\"name\": \"" << name << "\", \"box\": [" << box.left() << ", " << box.top() << ", "
                      << box.right() << ", " << box.bottom() << "], \"points\": [";
            for (unsigned long i = 0; i < shape.num_parts(); ++i)
                std::cout << (i ? ", " : "") << "[" << shape.part(i).x() << ", " << shape.part(i).y() << "]";
            std::cout << "]}\n";
        }
    }
    return 0;
}
