# A program from tests/python/progen.py, a seed for tests/fuzz_compile.rs.
# signature: (int16, uint32[:, :])
def seed4(p1, a2):
    for i3 in range(a2.shape[0]):
        a2[(np.int64(np.int32(1073741824))) % 3, 0] = np.uint32(6)
    a2[-2, (np.int64(np.uint8(18))) % 1] = max(a2[-2, 0], a2[-2, ((np.int64(-474151175813873541) - np.uint32(2))) % 1], a2[0, 0])
    a2[(np.int64(max(np.uint8(9), np.uint8(3)))) % 3, 0] ^= ((a2[1, -1] or a2[-1, 0]) or a2[(np.int64(a2[-1, -1])) % 3 - 3, (np.int64(2841239275998529275)) % 1 - 1])
    a2[(np.int64(np.uint16(48172))) % 3, (np.int64((+np.int32(37711429)))) % 1] = ((~a2[1, -1]) << np.uint32(27))
    for i4 in range(2, 2, 2):
        a2[(np.int64((np.uint8(15) if np.bool_(False) else np.uint8(0)))) % 3, -1] = a2[-1, -1]
        a2[0, (np.int64(abs(np.int8(126)))) % 1] = a2[-2, -1]
        if True:
            w5 = 0
            while w5 < 5:
                w5 += 1
                pass
                pass
                if ((np.float32(-9.351119041442871) == np.float32(2.0)) if (np.uint8(131) >= np.int64(i4)) else bool(p1)):
                    continue
    if math.isfinite((np.complex128(complex(2.158203717151972, 4.0)) if np.bool_(False) else np.complex128(complex(5.777053101130534, -3.032561663785791))).imag):
        a2[(np.int64(17)) % 3 - 3, 0] = (a2[-1, 0] << np.uint32(20))
        return np.bool_(False)
    else:
        a2[(np.int64(min(np.uint64(12), np.uint64(13), np.uint64(4)))) % 3, (np.int64(a2[-2, 0])) % 1] = ((bool(a2[1, 0]) ^ (-np.uint32(12))) or a2[2, -1])
        a2[(np.int64(7)) % 3, ((np.int64(11) if np.bool_(True) else np.int64(-14))) % 1] |= (a2[-1, -1] or np.uint32(a2[-3, -1]))
    return np.bool_(True)
