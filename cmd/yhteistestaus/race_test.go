//go:build race

package main

// raceDetector is whether the tests run under the race detector, which
// multiplies memory use: tests that measure memory skip.
const raceDetector = true
