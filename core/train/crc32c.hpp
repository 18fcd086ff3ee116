// CRC-32C (Castagnoli), the checksum TFRecord framing uses, and TensorFlow's masking of it.
#pragma once

#include <cstddef>
#include <cstdint>

namespace harmonia::train {

uint32_t crc32c(const void* data, size_t size);
// TFRecord stores masked CRCs so a CRC of data that itself contains CRCs stays well mixed.
inline uint32_t masked_crc32c(const void* data, size_t size) {
  const uint32_t crc = crc32c(data, size);
  return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
}

}  // namespace harmonia::train
