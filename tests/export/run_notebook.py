"""Runs a notebook top to bottom as Jupyter would (nbclient, a python3 kernel)
and prints what its cells printed, then one line with the number of pictures
they showed. Exits non-zero when a cell fails. For the export tests:

    /usr/bin/python3 run_notebook.py NOTEBOOK.ipynb WORKING_DIR
"""
import sys

import nbclient
import nbformat


def main(path, cwd):
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    client = nbclient.NotebookClient(notebook, timeout=600, kernel_name="python3",
                                     resources={"metadata": {"path": cwd}})
    client.execute()
    pictures = 0
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        for output in cell.outputs:
            if output.output_type == "stream" and output.name == "stdout":
                sys.stdout.write(output.text)
            elif output.output_type in ("display_data", "execute_result") and "image/png" in output.get("data", {}):
                pictures += 1
    print(f"\npictures: {pictures}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
