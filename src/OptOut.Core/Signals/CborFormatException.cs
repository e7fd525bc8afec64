using System.Buffers.Binary;
using System.Text;

namespace OptOut.Core.Signals;

/// <summary>A CBOR item that is malformed, truncated, or beyond the reader's limits.</summary>
internal sealed class CborFormatException(string message) : FormatException(message);
