// The fuzzing build links libFuzzer (-sanitize=fuzzer), which brings its own main() and calls
// LLVMFuzzerTestOneInput (Fuzz/Harnesses/Entry.swift). A plain build gets this main instead: it replays the files
// given (YTCE_FUZZ_TARGET=NAME ytce-fuzz FILE|FOLDER...). The entry point is C because SwiftPM renames a Swift
// executable's main and aliases it at link time, which clashes with libFuzzer's main.
#ifndef YTCE_LIBFUZZER
int ytce_fuzz_replay(int argc, char **argv);

int main(int argc, char **argv) { return ytce_fuzz_replay(argc, argv); }
#endif
