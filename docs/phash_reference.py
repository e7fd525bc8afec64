#!/usr/bin/env python3
"""Independent reference implementation of OptOut's perceptual hash (docs/fingerprints.md).

Pure Python, no imaging library: it computes the golden vectors that the engine's tests check,
for synthetic images defined by integer formulas (so no decoder or resampler is involved).
Run: python3 docs/phash_reference.py
"""
import math

N, K = 32, 8


def luma(r, g, b):
    return 0.299 * r + 0.587 * g + 0.114 * b


def area_weights(n, m):
    """For each of n source samples, the (bin, weight) pairs of exact area averaging onto m bins."""
    width = n / m
    pairs = []
    for i in range(n):
        row = []
        for j in range(m):
            overlap = min(i + 1, (j + 1) * width) - max(i, j * width)
            if overlap > 0:
                row.append((j, overlap / width))
        pairs.append(row)
    return pairs


def reduce_to_grid(pixels, w, h):
    horizontal, vertical = area_weights(w, N), area_weights(h, N)
    grid = [[0.0] * N for _ in range(N)]
    for y in range(h):
        bins = [0.0] * N
        for x in range(w):
            v = luma(*pixels(x, y))
            for j, weight in horizontal[x]:
                bins[j] += v * weight
        for j, weight in vertical[y]:
            for x in range(N):
                grid[j][x] += bins[x] * weight
    return grid


def phash(pixels, w, h):
    grid = reduce_to_grid(pixels, w, h)
    cos = [[math.cos(math.pi * (2 * x + 1) * u / (2.0 * N)) for x in range(N)] for u in range(K)]
    by_row = [[2 * sum(grid[y][x] * cos[v][x] for x in range(N)) for v in range(K)] for y in range(N)]
    coefficients = [2 * sum(by_row[y][v] * cos[u][y] for y in range(N)) for u in range(K) for v in range(K)]
    median = sorted(coefficients[1:])[31]
    bits = ''.join('1' if c >= median else '0' for c in coefficients)
    margin = min(abs(c - median) for i, c in enumerate(coefficients) if c != median)
    return '%016x' % int(bits, 2), margin


# The same formulas are in tests/OptOut.Core.Tests/PerceptualHashTests.cs.
IMAGES = {
    'gradient-64x48': (64, 48, lambda x, y: ((x * 4) % 256, (y * 5) % 256, (x * y) % 256)),
    'bands-100x75': (100, 75, lambda x, y: ((x * 7 + y * 3) % 256, (x * x + 2 * y) % 256, (y * y + 5 * x) % 256)),
    'quadratic-37x29': (37, 29, lambda x, y: (((x * x + 3 * y * y) * 7) % 256, (x * 11 + y * 13) % 256, (x * y * 3) % 256)),
    'large-640x480': (640, 480, lambda x, y: ((x // 3 + y // 5) % 256, (x * y // 64) % 256, (255 - x // 3) % 256)),
}

if __name__ == '__main__':
    for name, (w, h, pixels) in IMAGES.items():
        value, margin = phash(pixels, w, h)
        print(f'{name}: {value}  (smallest gap to the median: {margin:.3g})')
