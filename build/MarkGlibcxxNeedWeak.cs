using System;
using System.IO;
using System.Text;

// MSBuild inline task (see TrainingDiagnostics.Core.targets beside this file; both ship in the Core package's
// buildTransitive folder): marks one symbol-version requirement of an ELF64
// little-endian shared object as weak, so the dynamic loader accepts a libstdc++ that lacks it.
public class MarkGlibcxxNeedWeak : Microsoft.Build.Utilities.Task
{
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const ushort VerFlgWeak = 0x2;

    public Microsoft.Build.Framework.ITaskItem[] Files { get; set; } = Array.Empty<Microsoft.Build.Framework.ITaskItem>();

    public string VersionName { get; set; } = "";

    public override bool Execute()
    {
        foreach (var item in Files)
        {
            string path = item.ItemSpec;
            try
            {
                string outcome = Patch(path);
                Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Low, "{0}: {1}", path, outcome);
            }
            catch (Exception e) when (e is IOException || e is InvalidDataException || e is UnauthorizedAccessException)
            {
                Log.LogWarning("Could not apply the libtorch loader fix to {0}: {1}", path, e.Message);
            }
        }
        return !Log.HasLoggedErrors;
    }

    private string Patch(string path)
    {
        byte[] elf = File.ReadAllBytes(path);
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new InvalidDataException("not an ELF file");
        if (elf[4] != 2 || elf[5] != 1)
            return "not ELF64 little-endian, left alone";

        long shoff = (long)BitConverter.ToUInt64(elf, 0x28);
        int shentsize = BitConverter.ToUInt16(elf, 0x3A);
        int shnum = BitConverter.ToUInt16(elf, 0x3C);
        for (int s = 0; s < shnum; s++)
        {
            long sh = shoff + (long)s * shentsize;
            if (BitConverter.ToUInt32(elf, (int)sh + 4) != ShtGnuVerneed)
                continue;
            long offset = (long)BitConverter.ToUInt64(elf, (int)sh + 0x18);
            int link = (int)BitConverter.ToUInt32(elf, (int)sh + 0x28);
            int count = (int)BitConverter.ToUInt32(elf, (int)sh + 0x2C); // sh_info: number of Verneed entries
            long strtab = (long)BitConverter.ToUInt64(elf, (int)(shoff + (long)link * shentsize) + 0x18);
            return MarkWeak(path, elf, offset, count, strtab);
        }
        return "no version requirements, left alone";
    }

    private string MarkWeak(string path, byte[] elf, long verneed, int count, long strtab)
    {
        long need = verneed;
        for (int n = 0; n < count; n++)
        {
            int auxCount = BitConverter.ToUInt16(elf, (int)need + 2);
            long aux = need + BitConverter.ToUInt32(elf, (int)need + 8);
            for (int a = 0; a < auxCount; a++)
            {
                string name = ReadString(elf, strtab + BitConverter.ToUInt32(elf, (int)aux + 8));
                if (name == VersionName)
                {
                    ushort flags = BitConverter.ToUInt16(elf, (int)aux + 4);
                    if ((flags & VerFlgWeak) != 0)
                        return VersionName + " already weak";
                    var stamp = File.GetLastWriteTimeUtc(path);
                    using (var stream = new FileStream(path, FileMode.Open, FileAccess.Write))
                    {
                        stream.Position = aux + 4;
                        byte[] patched = BitConverter.GetBytes((ushort)(flags | VerFlgWeak));
                        stream.Write(patched, 0, 2);
                    }
                    // Keep the timestamp so incremental copies stay up to date with the package's file.
                    File.SetLastWriteTimeUtc(path, stamp);
                    return VersionName + " marked weak";
                }
                aux += BitConverter.ToUInt32(elf, (int)aux + 12);
            }
            uint next = BitConverter.ToUInt32(elf, (int)need + 12);
            if (next == 0)
                break;
            need += next;
        }
        return VersionName + " not required, left alone";
    }

    private static string ReadString(byte[] data, long start)
    {
        int end = (int)start;
        while (end < data.Length && data[end] != 0)
            end++;
        return Encoding.ASCII.GetString(data, (int)start, end - (int)start);
    }
}
