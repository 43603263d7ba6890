# A program from tests/python/progen.py, a seed for tests/fuzz_compile.rs.
# signature: (uint32, uint64, float32[:, :], complex64[:])
def seed3(p1, p2, a3, a4):
    v5 = (((np.int32(-6) and np.int32(-18)) or (np.int32(-256202964) & np.bool_(True))) != (+np.complex128(np.uint32(6))))
    v6 = bool((p2 or (p2 >> np.uint64(39))))
    v7 = (max(np.uint64(18137771569181632867), np.uint64(4), (np.uint32(10) // (max(p2, np.uint64(5), p2) if max(p2, np.uint64(5), p2) != np.uint64(0) else np.uint64(1)))) if math.isnan(np.complex128(complex(0.48614508613993124, -1.4048540121448099)).imag) else min(max(np.uint64(1), p2, p2), (p1 ^ np.uint64(7))))
    a3[((p1 | np.int8(0))) % 2, ((np.int64(-2989048108288186060) ^ np.int16(-1))) % 2] = a3[1, 1]
    if min((np.uint16(0) if v6 else np.uint16(22078)), (np.uint16(20) if np.bool_(False) else np.uint16(17))):
        v7 ^= p2
        if True:
            w8 = 0
            while w8 < 5:
                w8 += 1
                if (not (np.uint16(31305) if np.bool_(False) else np.uint16(2))):
                    continue
    else:
        if True:
            w9 = 0
            while w9 < 5 and bool(np.uint64(np.int8(-88))):
                w9 += 1
                v5 = (v6 if np.bool_(False) else ((np.int16(20) < np.int32(1436631686) <= np.uint8(167)) or (np.int16(0) >= np.int16(20))))
                v7 += max(np.uint64(11797821960687230317), (v7 if v6 else p2))
                v6 &= bool((np.uint8(18) if v5 else np.uint8(1)))
                v7 = (((v7 if v5 else p2) >> np.uint64(51)) << np.uint64(34))
    for i10 in range(9, 2, -2):
        v5 = math.isinf((-np.float64(math.atan2(np.float64(np.uint8(255)), np.float64(a3[-1, -1])))))
        v5 &= ((np.uint64(306891611220062050) <= np.int16(-7)) & (not np.complex128(complex(7.294881017348171, -3.8141084593691748))))
        v7 = np.uint64(v7)
        for i11 in range(2, 2, 1):
            if v5:
                break
            a3[-2, (np.int64((np.bool_(True) | np.int16(-29663)))) % 2 - 2] = abs(np.complex64(v5))
            v5 = (v5 and math.isinf((np.int8(-102) % ((v7 if v6 else p2) if (v7 if v6 else p2) != np.uint64(0) else np.uint64(1)))))
    v7 += (np.uint64(9) and (p2 // (p1 if p1 != np.uint32(0) else np.uint32(1))))
    v5 = (np.bool_(True) & np.bool_(False))
    v7 = (p2 >> np.uint64(8))
    v7 = (v7 or p2)
    return np.complex64(complex(-math.inf, -8.783757948549464e-05))
