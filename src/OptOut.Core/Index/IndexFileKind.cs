namespace OptOut.Core.Index;

/// <summary>What a file at an index path is (<see cref="IndexFile.Inspect"/>), judged without writing to it.</summary>
internal enum IndexFileKind
{
    /// <summary>No file: an import creates the index there.</summary>
    Missing,

    /// <summary>A file of 0 bytes (SQLite leaves one where a database was opened and nothing written): an import makes it an index.</summary>
    Empty,

    /// <summary>An OptOut index of the current schema, marked with OptOut's application id.</summary>
    Current,

    /// <summary>An OptOut index of the current schema written before indexes were marked: readable; the next import marks it.</summary>
    Unmarked,

    /// <summary>An OptOut index of an earlier schema: an import migrates it; read-only commands refuse it.</summary>
    NeedsMigration,

    /// <summary>An OptOut index written by a newer OptOut.</summary>
    Newer,

    /// <summary>Anything else (another application's database, an OptOut registry, a text file): never opened for writing.</summary>
    NotAnIndex,
}
