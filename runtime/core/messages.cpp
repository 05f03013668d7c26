#include "core/messages.hpp"

#include <algorithm>

#include "core/diagnostics.hpp"

namespace aisb {

// Korean: the polite written style (합니다) of a teacher's handout. Particles
// never follow a placeholder whose value varies (a name, a number): Korean
// particles depend on the word's last sound, so the sentences are built
// around "지금 값: 20", "'x' 데이터셋", "... 중 하나를 쓰세요".
const std::vector<MessageEntry>& message_table() {
  static const std::vector<MessageEntry> table = {
      // Phrases: parts of other messages.
      {"hint.did_you_mean", " (did you mean '{0}'?)", " (혹시 '{0}' 아닌가요?)"},
      {"type.nothing", "nothing", "빈 값"},
      {"type.boolean", "a boolean", "참·거짓 값(true/false)"},
      {"type.integer", "an integer", "정수"},
      {"type.number", "a number", "숫자"},
      {"type.string", "a string", "문자열"},
      {"type.list", "a list", "목록"},
      {"type.table", "a table", "테이블"},
      {"type.other", "something else", "다른 종류의 값"},
      {"type.whole_number", "a whole number", "정수"},
      {"type.list_of_strings", "a list of strings", "문자열 목록"},
      {"type.sample", "a sample number or a class name", "샘플 번호나 클래스 이름"},
      {"what.lesson", "a lesson", "수업"},
      {"what.course", "a course", "과정"},
      {"what.step", "a step", "단계"},
      {"what.quiz", "a quiz", "퀴즈"},
      {"what.hint", "a hint", "힌트"},
      {"goal.want_at_least", "at least {0}", "{0} 이상"},
      {"goal.want_at_most", "at most {0}", "{0} 이하"},
      {"goal.want_between", "at least {0} and at most {1}", "{0} 이상 {1} 이하"},

      // Reading any table (runtime/core/reader.cpp).
      {"reader.wrong_type", "expected {0}, got {1}", "값의 종류가 맞지 않습니다. 필요한 값: {0}, 지금 값: {1}"},
      {"reader.missing", "missing: '{0}' is required here", "'{0}' 항목이 빠졌습니다. 여기에는 꼭 있어야 합니다."},
      {"reader.between", "must be between {0} and {1}, got {2}", "{0} 이상 {1} 이하여야 합니다. 지금 값: {2}"},
      {"reader.above_and_at_most", "must be greater than {0} and at most {1}, got {2}",
       "{0}보다 크고 {1} 이하여야 합니다. 지금 값: {2}"},
      {"reader.at_least_and_at_most", "must be at least {0} and at most {1}, got {2}",
       "{0} 이상 {1} 이하여야 합니다. 지금 값: {2}"},
      {"reader.unknown_value", "unknown value '{0}'{1}; use {2}",
       "알 수 없는 값입니다: '{0}'{1}. {2} 중 하나를 쓰세요."},
      {"reader.unknown_key", "unknown key '{0}'{1}", "알 수 없는 항목입니다: '{0}'{1}"},

      // The job's tables (runtime/core/job_reader.cpp, shape.cpp).
      {"job.format_missing", "missing: 'format' is required (format = 1)",
       "'format' 항목이 빠졌습니다. format = 1을 넣으세요."},
      {"job.format_unsupported", "unsupported format {0}; this version reads format 1",
       "지원하지 않는 형식입니다(format = {0}). 이 버전은 format = 1만 읽습니다."},
      {"job.bad_lesson_id", "'{0}' is not a lesson id: use lower-case letters, digits and '-'",
       "수업 아이디로 쓸 수 없습니다: '{0}'. 영어 소문자, 숫자, '-'만 쓰세요."},
      {"job.file_hash", "expected a content hash (a string)", "내용 해시(문자열)가 와야 합니다."},
      {"dataset.path_outside", "the path '{0}' must stay inside the lesson's folder (relative, no '..')",
       "경로는 수업 폴더 안에 있어야 합니다(상대 경로, '..' 없이). 지금 경로: '{0}'"},
      // A class's own data (core/job_reader.cpp, data/user_data.cpp).
      {"dataset.too_many_names", "{0} names; at most {1}", "이름이 {0}개입니다. {1}개까지 쓸 수 있습니다."},
      {"dataset.noise_for_generators", "'noise' is for generated data; a file's data is used as it is",
       "'noise'는 생성한 데이터에만 씁니다. 파일의 데이터는 그대로 씁니다."},
      {"dataset.bad_sha256", "expected a SHA-256 as 64 lower-case hex digits",
       "SHA-256 값(소문자 16진수 64자리)이 와야 합니다."},
      {"dataset.only_files", "'{0}' is only for csv and image-folder datasets",
       "'{0}' 항목은 CSV나 이미지 폴더 데이터셋에만 씁니다."},
      {"dataset.window_one", "a window of 1 row is a plain table: leave out 'window', or use 2 or more",
       "창(window)이 한 줄이면 그냥 표와 같습니다. 'window'를 빼거나 2 이상으로 쓰세요."},
      {"dataset.only_window", "'{0}' is for sequences: set 'window' too",
       "'{0}' 항목은 시퀀스에 씁니다. 'window'도 함께 쓰세요."},
      {"dataset.one_class", "the data has fewer than two classes; classification needs at least two",
       "데이터에 클래스가 두 개보다 적습니다. 분류에는 두 개 이상이 필요합니다."},
      {"dataset.file_missing", "the file '{0}' is not there (looked for {1})",
       "'{0}' 파일이 없습니다({1}에서 찾았습니다)."},
      {"dataset.folder_missing", "the folder '{0}' is not there (looked for {1})",
       "'{0}' 폴더가 없습니다({1}에서 찾았습니다)."},
      {"dataset.not_a_file", "'{0}' is a folder; csv: names a file (use images: for a folder of photos)",
       "'{0}'는 폴더입니다. csv:에는 파일을 쓰세요(사진 폴더에는 images:를 씁니다)."},
      {"dataset.not_a_folder", "'{0}' is a file; images: names a folder with one subfolder per class",
       "'{0}'는 파일입니다. images:에는 클래스마다 하위 폴더가 있는 폴더를 쓰세요."},
      {"dataset.cannot_read", "cannot read '{0}': {1}", "'{0}' 파일을 읽을 수 없습니다: {1}"},
      {"dataset.too_large", "'{0}' is {1}; at most {2}", "'{0}' 파일이 {1}입니다. {2}까지 쓸 수 있습니다."},
      {"dataset.too_many_samples", "'{0}' gives {1} samples; at most {2}: use a part of it",
       "'{0}'에서 샘플이 {1}개 나옵니다. {2}개까지 쓸 수 있으니 일부만 쓰세요."},
      {"dataset.data_changed", "the data is not what this job was made for (its content hash or shape differs)",
       "데이터가 이 작업을 만들 때와 다릅니다(내용 해시나 모양이 다릅니다)."},
      {"dataset.task_vs_target", "the target '{0}' suggests {1}; the lesson says {2}",
       "목표 열 '{0}'은(는) {1}에 맞습니다. 수업에는 {2}(으)로 되어 있습니다."},
      {"dataset.summary_csv", "{0}: {1} rows, {2} columns ({3}); {4} samples of {5} inputs",
       "{0}: {1}행, {2}열({3}), 입력 {5}개짜리 샘플 {4}개"},
      {"dataset.summary_images", "{0}: {1} images in {2} classes", "{0}: 클래스 {2}개에 이미지 {1}장"},
      {"dataset.unknown",
       "unknown dataset '{0}'{1}; use a built-in generator: {2}; or a file: \"csv:FILE\", \"images:FOLDER\"",
       "알 수 없는 데이터셋입니다: '{0}'{1}. 내장 데이터셋 중 하나를 쓰세요: {2}. 파일도 됩니다: \"csv:파일\", "
       "\"images:폴더\""},
      {"dataset.not_available", "the dataset '{0}' is not available in this version of AI Sandbox yet",
       "'{0}' 데이터셋은 이 버전의 AI Sandbox에서 아직 쓸 수 없습니다."},
      {"dataset.only_csv", "'{0}' is only for csv datasets", "'{0}' 항목은 CSV 데이터셋에만 씁니다."},
      {"dataset.only_images", "'{0}' is only for image-folder datasets",
       "'{0}' 항목은 이미지 폴더 데이터셋에만 씁니다."},
      {"dataset.image_size", "expected [height, width] with each between 4 and 512",
       "[높이, 너비]로 쓰고, 둘 다 4 이상 512 이하여야 합니다."},
      {"dataset.channels", "use 1 (grey) or 3 (colour)", "1(흑백)이나 3(컬러) 중 하나를 쓰세요."},
      {"dataset.too_much_data", "the data would need {0}, more than the {1} allowed: use at most {2} samples",
       "데이터에 메모리가 {0} 필요합니다(허용량 {1}). 샘플을 {2}개 이하로 줄이세요."},
      {"dataset.too_few_samples", "too few samples to split into a training and a test set; use at least 2",
       "샘플이 너무 적어 훈련 데이터와 테스트 데이터로 나눌 수 없습니다. 2개 이상 쓰세요."},
      {"layer.same_needs_odd_kernel", "padding = \"same\" needs an odd kernel (3, 5, 7, ...), got {0}",
       "padding = \"same\"에는 홀수 크기 커널(3, 5, 7, ...)이 필요합니다. 지금 커널 크기: {0}"},
      {"layer.unknown_type", "unknown layer type '{0}'{1}; use {2}",
       "알 수 없는 층 종류입니다: '{0}'{1}. {2} 중 하나를 쓰세요."},
      {"model.too_many_layers", "at most {0} layers, got {1}", "층은 {0}개까지 쓸 수 있습니다. 지금 {1}개입니다."},
      {"model.task_vs_dataset", "the dataset '{0}' is for {1}, not {2}",
       "'{0}' 데이터셋은 {1} 과제용입니다. {2} 과제에는 쓸 수 없습니다."},
      {"model.inputs_not_for_dataset",
       "input features are for the 2-D datasets; the dataset '{0}' gives its own inputs: remove 'inputs'",
       "입력 특성(inputs)은 2차원 점 데이터셋에서만 씁니다. '{0}' 데이터셋은 입력이 정해져 있으니 'inputs'를 "
       "지우세요."},
      {"model.no_inputs", "choose at least one input feature", "입력 특성을 하나 이상 고르세요."},
      {"model.unknown_input", "unknown input '{0}'{1}; use {2}",
       "알 수 없는 입력 특성입니다: '{0}'{1}. {2} 중에서 고르세요."},
      {"model.input_twice", "the input '{0}' is listed twice", "'{0}' 입력이 두 번 들어 있습니다."},
      {"model.too_many_parameters",
       "the model has {0} parameters, more than the {1} allowed: use fewer or smaller layers",
       "모델의 매개변수가 {0}개로, 허용된 {1}개보다 많습니다. 층의 수나 크기를 줄이세요."},
      {"training.rate_without_regularization", "has no effect while regularization = \"none\"; choose \"l1\" or \"l2\"",
       "regularization = \"none\"이면 아무 효과가 없습니다. \"l1\"이나 \"l2\"를 고르세요."},
      {"training.too_much_memory",
       "training this model with batch_size {0} would need about {1}, more than the {2} allowed: use a smaller "
       "batch or model, or fewer samples",
       "batch_size = {0}에서 이 모델을 학습하려면 메모리가 약 {1} 필요합니다(허용량 {2}). 배치나 모델을 더 작게 "
       "하거나 샘플 수를 줄이세요."},
      {"shape.needs_flat", "{0} needs a flat input but gets {1}: put a { type = \"flatten\" } layer before it",
       "{0} 층에는 1차원 입력이 필요한데 {1} 모양이 들어옵니다. 바로 앞에 { type = \"flatten\" } 층을 넣으세요."},
      {"shape.conv_needs_image", "conv2d needs an image input [channels, height, width] but gets {0}",
       "conv2d 층에는 이미지 입력 [채널, 높이, 너비]이 필요한데 {0} 모양이 들어옵니다."},
      {"shape.kernel_too_big", "kernel {0} is larger than the input {1}: use a smaller kernel or padding = \"same\"",
       "커널 크기({0})가 입력 {1}보다 큽니다. 커널을 줄이거나 padding = \"same\"을 쓰세요."},
      {"shape.pool_needs_image", "maxpool2d needs an image input [channels, height, width] but gets {0}",
       "maxpool2d 층에는 이미지 입력 [채널, 높이, 너비]이 필요한데 {0} 모양이 들어옵니다."},
      {"shape.pool_too_big", "pool size {0} is larger than the input {1}", "풀링 크기({0})가 입력 {1}보다 큽니다."},
      {"shape.batchnorm_input", "batchnorm works on flat or image inputs, not {0}",
       "batchnorm 층은 1차원 입력이나 이미지 입력에만 쓸 수 있습니다. 지금 입력 모양: {0}"},
      {"shape.needs_sequence", "{0} needs a sequence input [steps, features] but gets {1}",
       "{0} 층에는 시계열 입력 [시점, 특성]이 필요한데 {1} 모양이 들어옵니다."},
      {"shape.output_needs_flat",
       "the output layer needs a flat input but the last layer gives {0}: end with a { type = \"flatten\" } layer",
       "출력층에는 1차원 입력이 필요한데 마지막 층이 {0} 모양을 내보냅니다. 맨 끝에 { type = \"flatten\" } 층을 "
       "넣으세요."},

      // CSV files (data/csv_table.cpp): data problems name "FILE:LINE", spec problems their key.
      {"csv.too_big", "the file is {0} MB, more than the {1} MB a CSV file may have",
       "파일이 너무 큽니다. CSV 파일은 {1} MB까지 쓸 수 있습니다. 지금 크기: {0} MB"},
      {"csv.empty", "the file is empty", "파일이 비어 있습니다."},
      {"csv.binary",
       "this is not a text table (is it an Excel workbook?); in Excel choose Save As with the type \"CSV UTF-8\"",
       "텍스트 표가 아닙니다(엑셀 통합 문서인가요?). 엑셀에서 '다른 이름으로 저장'을 누르고 파일 형식을 'CSV "
       "UTF-8'로 고르세요."},
      {"csv.bad_text", "the byte 0x{0} here is not {1} text; save the file again as \"CSV UTF-8\"",
       "이 줄에 {1} 글자가 아닌 바이트(0x{0})가 있습니다. 파일을 'CSV UTF-8' 형식으로 다시 저장하세요."},
      {"csv.parse_failed", "the file could not be read: {0}", "파일을 읽을 수 없습니다: {0}"},
      {"csv.too_many_columns", "{0} columns, more than the {1} allowed",
       "열이 너무 많습니다. {1}개까지 쓸 수 있습니다. 지금 {0}개입니다."},
      {"csv.too_many_rows", "more rows than the {0} allowed", "행이 너무 많습니다. {0}개까지 쓸 수 있습니다."},
      {"csv.too_many_cells", "more cells (rows x columns) than the {0} allowed; use fewer rows or columns",
       "칸(행 × 열)이 너무 많습니다. {0}칸까지 쓸 수 있습니다. 행이나 열을 줄이세요."},
      {"csv.field_too_long", "a cell longer than {0} bytes starts here (is a quote \" left open?)",
       "여기서 시작하는 칸이 {0}바이트보다 깁니다(닫히지 않은 따옴표 \"가 있나요?)."},
      {"csv.open_quote", "a quote \" opened here is never closed", "여기서 연 따옴표 \"가 끝까지 닫히지 않았습니다."},
      {"csv.duplicate_column", "two columns are called '{0}' (columns {1} and {2}); give each column its own name",
       "이름이 같은 열이 둘 있습니다: '{0}' ({1}번째 열, {2}번째 열). 열마다 다른 이름을 붙이세요."},
      {"csv.ragged", "this row has {0} cells but the header has {1}",
       "이 행의 칸 수가 머리글과 다릅니다. 머리글: {1}칸, 이 행: {0}칸"},
      {"csv.more_ragged", "{0} more rows have a different number of cells than the header",
       "칸 수가 머리글과 다른 행이 {0}개 더 있습니다."},
      {"csv.no_rows", "the file has column names but no rows of data", "열 이름만 있고 데이터 행이 없습니다."},
      {"csv.unknown_column", "there is no column '{0}' in {1}{2}; use {3}",
       "{1} 파일에 '{0}' 열이 없습니다{2}. {3} 중 하나를 쓰세요."},
      {"csv.feature_twice", "the column '{0}' is listed twice", "'{0}' 열이 두 번 들어 있습니다."},
      {"csv.target_is_feature",
       "'{0}' is the target, so it cannot be a feature too (only a sequence, with window = N, uses the target's "
       "past values)",
       "'{0}' 열은 맞힐 값(target)이라 입력(features)으로 함께 쓸 수 없습니다. 지난 값을 입력으로 쓰는 것은 "
       "시계열(window = N)뿐입니다."},
      {"csv.no_features", "no numeric column besides '{0}' to learn from; list the columns to use in features = [...]",
       "'{0}' 말고는 배울 숫자 열이 없습니다. 쓸 열을 features = [...]에 적으세요."},
      {"csv.column_empty", "the column '{0}' has no values", "'{0}' 열에 값이 하나도 없습니다."},
      {"csv.too_many_categories", "the text column '{0}' has {1} different values; a text feature can have at most {2}",
       "'{0}' 열에 서로 다른 값이 {1}가지 있습니다. 글자로 된 입력 열은 {2}가지까지 쓸 수 있습니다."},
      {"csv.too_many_inputs", "the features make {0} inputs (a text column one per value), more than the {1} allowed",
       "입력이 너무 많습니다(글자 열은 값마다 하나씩). {1}개까지 쓸 수 있습니다. 지금 {0}개입니다."},
      {"csv.target_not_numeric",
       "task = \"regression\" needs numbers in '{0}', but {1} has '{2}'; use task = \"classification\" or a column of "
       "numbers",
       "task = \"regression\"에는 '{0}' 열이 숫자여야 합니다. 숫자가 아닌 값: '{2}' ({1}). "
       "task = \"classification\"을 쓰거나 숫자 열을 고르세요."},
      {"csv.too_many_classes", "'{0}' has {1} different values, more than the {2} classes allowed",
       "'{0}' 열에 서로 다른 값이 {1}가지 있습니다. 분류는 {2}가지 클래스까지 할 수 있습니다."},
      {"csv.too_many_classes_numeric",
       "'{0}' has {1} different values, more than the {2} classes allowed; to predict numbers like these use task = "
       "\"regression\"",
       "'{0}' 열에 서로 다른 값이 {1}가지 있습니다. 분류는 {2}가지 클래스까지 할 수 있습니다. 이런 숫자를 맞히려면 "
       "task = \"regression\"을 쓰세요."},
      {"csv.one_class", "'{0}' has only one value ('{1}') in the rows used; classes need at least 2 different values",
       "쓰는 행에서 '{0}' 열의 값이 한 가지뿐입니다('{1}'). 분류하려면 서로 다른 값이 2가지 이상 있어야 합니다."},
      {"csv.dropped_rows",
       "{0} of {1} rows have an empty cell in a column used and are left out (the first at line {2}); missing = "
       "\"mean\" would fill feature cells instead",
       "쓰는 열에 빈 칸이 있는 행 {0}개(전체 {1}개 중)를 뺐습니다(첫 행: {2}번째 줄). missing = \"mean\"으로 "
       "하면 입력 열의 빈 칸을 평균으로 채웁니다."},
      {"csv.dropped_key", "{0} rows without a value in {1} are left out (the first at line {2})",
       "값이 비어 있는 행 {0}개를 뺐습니다(열: {1}, 첫 행: {2}번째 줄)."},
      {"csv.filled_cells", "{0} empty cells are filled: numbers with their column's mean, text as no category",
       "빈 칸 {0}개를 채웠습니다. 숫자 열은 그 열의 평균으로, 글자 열은 '해당 없음'으로 채웁니다."},
      {"csv.nothing_left", "no rows are left to learn from: every row has an empty cell in a column used",
       "배울 행이 남지 않았습니다. 모든 행에서 쓰는 열에 빈 칸이 있습니다."},
      {"csv.no_windows",
       "no window fits: window + horizon needs {0} rows one after another (in one group), and the most there are is "
       "{1}",
       "윈도우를 하나도 만들 수 없습니다. window + horizon만큼 행 {0}개가 (같은 그룹 안에서) 이어져야 하는데, "
       "가장 긴 것이 {1}개입니다."},
      {"csv.too_many_samples", "the windows make {0} samples, more than the {1} allowed; use fewer rows",
       "윈도우로 만든 샘플이 너무 많습니다. {1}개까지 쓸 수 있습니다. 지금 {0}개입니다. 행 수를 줄이세요."},

      // Image folders (data/image_folder.cpp): the path names the folder or "FOLDER/CLASS/FILE".
      {"images.cannot_open", "cannot be opened: {0}", "열 수 없습니다: {0}"},
      {"images.bad_name",
       "this name has characters that cannot be used (control characters, '\\' or bytes that are not UTF-8); it is "
       "left out",
       "이 이름에는 쓸 수 없는 문자(제어 문자, '\\', UTF-8이 아닌 바이트)가 있어 빼고 진행합니다."},
      {"images.name_too_long", "the name is {0} bytes long, more than the {1} allowed; it is left out (shorten it)",
       "이름이 {0}바이트로, 허용된 {1}바이트보다 깁니다. 이름을 줄이세요(지금은 빼고 진행합니다)."},
      {"images.symlink", "this is a link (shortcut); links are not followed, so it is left out",
       "바로 가기(링크)는 따라가지 않으므로 빼고 진행합니다."},
      {"images.root_files",
       "{0} images lie directly in this folder, outside any class folder, and are left out (for example '{1}'): put "
       "each in its class's folder",
       "클래스 폴더 밖, 이 폴더 바로 아래에 있는 이미지 {0}장은 빼고 진행합니다(예: '{1}'). 각 이미지를 해당 "
       "클래스 폴더에 넣으세요."},
      {"images.subfolders",
       "{0} folders inside class folders are not read (for example '{1}'): put each class's images directly in its "
       "folder",
       "클래스 폴더 안에 있는 폴더 {0}개는 읽지 않습니다(예: '{1}'). 이미지는 클래스 폴더 바로 아래에 두세요."},
      {"images.not_images", "{0} files that are not PNG, JPEG, BMP or GIF images are left out (for example '{1}')",
       "PNG, JPEG, BMP, GIF 이미지가 아닌 파일 {0}개는 빼고 진행합니다(예: '{1}')."},
      {"images.pack_entry", "the entry '{0}' of the data pack is not an image at CLASS/FILE; it is left out",
       "데이터 묶음의 '{0}' 항목은 '클래스/파일' 위치의 이미지가 아니어서 빼고 진행합니다."},
      {"images.pack_duplicate", "this file is in the data pack twice; the second copy is left out",
       "데이터 묶음에 이 파일이 두 번 들어 있어 두 번째 것은 빼고 진행합니다."},
      {"images.pack_damaged", "the data pack cannot be read: {0}", "데이터 묶음을 읽을 수 없습니다: {0}"},
      {"images.pack_missing", "this file is missing from the data pack", "데이터 묶음에 이 파일이 없습니다."},
      {"images.changed", "the file changed while the data pack was being made; try again",
       "데이터 묶음을 만드는 동안 파일이 바뀌었습니다. 다시 해 보세요."},
      {"images.file_too_big", "the file is {0} MB, more than the {1} MB allowed for one image; it is left out",
       "파일 크기가 {0}MB로, 이미지 한 장에 허용된 {1}MB보다 커서 빼고 진행합니다."},
      {"images.too_many_files", "more than {0} images, the most one data set can hold",
       "이미지가 너무 많습니다. 데이터셋 하나에는 {0}장까지 넣을 수 있습니다."},
      {"images.too_many_classes", "{0} class folders, more than the {1} allowed",
       "클래스 폴더가 {0}개로, 허용된 {1}개보다 많습니다."},
      {"images.too_many_bytes", "the images take {0} MB, more than the {1} MB allowed",
       "이미지 용량이 {0}MB로, 허용된 {1}MB보다 큽니다."},
      {"images.no_classes",
       "needs at least two class folders (one per class, named after it, with its images inside), found none",
       "클래스 폴더가 두 개 이상 필요한데 하나도 없습니다. 클래스마다 그 이름으로 폴더를 만들고 이미지를 "
       "넣으세요."},
      {"images.one_class", "needs at least two class folders, found 1: '{0}'",
       "클래스 폴더가 두 개 이상 필요한데 '{0}' 하나뿐입니다."},
      {"images.class_too_few", "the class '{0}' has {1} images; each class needs at least {2}",
       "'{0}' 클래스의 이미지가 {1}장입니다. 클래스마다 {2}장 이상 필요합니다."},
      {"images.class_too_few_readable", "the class '{0}' has {1} readable images; each class needs at least {2}",
       "'{0}' 클래스에서 읽을 수 있는 이미지가 {1}장입니다. 클래스마다 {2}장 이상 필요합니다."},
      {"images.empty", "the file is empty (0 bytes); it is left out", "빈 파일(0바이트)이어서 빼고 진행합니다."},
      {"images.not_an_image", "this is not a PNG, JPEG, BMP or GIF image; it is left out",
       "PNG, JPEG, BMP, GIF 이미지가 아니어서 빼고 진행합니다."},
      {"images.too_many_pixels",
       "the image is {0} x {1} pixels, more than the {2} pixels allowed; it is left out (make it smaller)",
       "이미지가 {0} x {1} 픽셀로, 허용된 {2}픽셀보다 커서 빼고 진행합니다(크기를 줄이세요)."},
      {"images.damaged", "the image is damaged or cut short ({0}); it is left out",
       "이미지가 손상되었거나 잘려 있어 빼고 진행합니다({0})."},
      {"images.no_memory", "there is not enough memory to decode this image; it is left out",
       "이 이미지를 읽을 메모리가 부족해 빼고 진행합니다."},
      {"images.no_memory_all", "there is not enough memory for the images ({0} MB)",
       "이미지를 담을 메모리({0}MB)가 부족합니다."},

      // Lesson and course files (runtime/lesson/lesson.cpp).
      {"lesson.format_missing", "missing: 'format' is required; start the file with format = 1",
       "'format' 항목이 빠졌습니다. 파일 맨 위에 format = 1을 쓰세요."},
      {"lesson.text_missing", "missing: {0} needs {1}.ko and/or {1}.en", "{0}에는 {1}.ko나 {1}.en이 있어야 합니다."},
      {"lesson.text_per_language", "give the text per language: {0}.ko = \"...\" and {0}.en = \"...\"",
       "글은 언어마다 따로 쓰세요: {0}.ko = \"...\", {0}.en = \"...\""},
      {"lesson.text_empty", "needs a text in at least one language (ko or en)",
       "적어도 한 언어(ko나 en)로 글을 써야 합니다."},
      {"lesson.no_korean", "has no Korean text ({0}.ko)", "한국어 글({0}.ko)이 없습니다."},
      {"lesson.no_english", "has no English text ({0}.en)", "영어 글({0}.en)이 없습니다."},
      {"goal.needs_bound", "a goal needs at_least or at_most", "목표에는 at_least나 at_most가 있어야 합니다."},
      {"goal.metric_not_for_task", "the metric '{0}' does not exist for a {1} task",
       "'{0}' 지표는 {1} 과제에는 없습니다."},
      {"goal.percent", "{0} goes from 0 to 1, not 0 to 100: for {2}% write {1} = {3}",
       "{0}의 값은 0에서 100이 아니라 0에서 1 사이입니다. {2}%를 뜻했다면 이렇게 쓰세요: {1} = {3}"},
      {"goal.above_one", "{0} is never above 1, so {1} = {2} cannot work as a goal: use a value from 0 to 1",
       "{0}의 값은 1을 넘지 않으므로 {1} = {2}인 목표는 쓸 수 없습니다. 0에서 1 사이의 값을 쓰세요."},
      {"goal.negative", "{0} is never below 0, so {1} = {2} cannot work as a goal: use 0 or more",
       "{0}의 값은 0보다 작아지지 않으므로 {1} = {2}인 목표는 쓸 수 없습니다. 0 이상의 값을 쓰세요."},
      {"goal.r2_negative",
       "{1} = {2} asks for less than always predicting the average ({0} = 0): use a value from 0 to 1",
       "{1} = {2}인 목표는 늘 평균만 예측하는 것({0} = 0)보다도 낮습니다. 0에서 1 사이의 값을 쓰세요."},
      {"goal.lower_is_better",
       "{0} is better when it is lower, so its goal is an upper limit: use at_most = {1} instead of at_least",
       "{0}의 값은 낮을수록 좋으므로 목표는 상한으로 정합니다. at_least 대신 at_most를 쓰세요(예: at_most = {1})."},
      {"goal.empty_range", "at_least = {0} is above at_most = {1}: no value can meet both",
       "at_least({0})가 at_most({1})보다 큽니다. 두 조건을 함께 만족하는 값은 없습니다."},
      {"quiz.no_choices", "a quiz needs choices.ko and/or choices.en",
       "퀴즈에는 choices.ko나 choices.en이 있어야 합니다."},
      {"quiz.choices_differ", "choices.ko has {0} choices but choices.en has {1}",
       "보기 수가 다릅니다: choices.ko에는 {0}개, choices.en에는 {1}개입니다."},
      {"quiz.too_few_choices", "a quiz needs at least two choices", "퀴즈에는 보기가 두 개 이상 있어야 합니다."},
      {"step.unknown_control", "unknown control '{0}'{1}; use {2}",
       "알 수 없는 조절 장치입니다: '{0}'{1}. {2} 중에서 고르세요."},
      {"step.empty", "a step needs a text or a quiz", "단계에는 글(text)이나 퀴즈(quiz)가 있어야 합니다."},
      {"step.view_needs_conv",
       "the view '{0}' shows what conv2d layers learned, and this lesson's model has none: add a conv2d layer or "
       "choose another view",
       "'{0}' 보기는 conv2d 층이 배운 것을 보여 주는데, 이 수업의 모델에는 conv2d 층이 없습니다. conv2d 층을 넣거나 "
       "다른 보기를 고르세요."},
      {"step.view_needs_image_classes",
       "the view 'mistakes' shows the test images the network got wrong: it needs a classification lesson on images",
       "'mistakes' 보기는 신경망이 틀린 테스트 이미지를 보여 주므로 이미지 분류 수업에서만 쓸 수 있습니다."},
      {"step.view_not_for_images",
       "the view 'predictions' shows predictions against the truth for sequence and table lessons; for images use "
       "'mistakes', 'maps' or 'saliency'",
       "'predictions' 보기는 시계열과 표 수업에서 예측과 실제 값을 견주어 보여 줍니다. 이미지 수업에서는 "
       "'mistakes', 'maps', 'saliency'를 쓰세요."},
      {"step.sample_needs_view", "a sample is shown in a view: add a view that shows one ({0})",
       "샘플은 보기 안에서 보여 줍니다. view를 {0} 중 하나로 정하세요."},
      {"step.sample_not_for_view", "the view '{0}' does not show one sample; sample goes with the views {1}",
       "'{0}' 보기는 샘플 하나를 보여 주지 않습니다. sample은 {1} 보기와 함께 쓰세요."},
      {"step.sample_below_one", "samples are numbered from 1 (#1 is the first test sample), got {0}",
       "샘플 번호는 1부터 셉니다(#1이 첫 테스트 샘플). 지금 값: {0}"},
      {"step.sample_beyond_test", "the test split has {1} samples, so there is no sample #{0}: use 1 to {1}",
       "테스트 데이터는 {1}개뿐이라 #{0} 샘플은 없습니다. 1에서 {1} 사이의 번호를 쓰세요."},
      {"step.sample_unknown_class", "'{0}' is not a class of this lesson{1}; use a sample number or {2}",
       "이 수업에 없는 클래스입니다: '{0}'{1}. 샘플 번호나 {2} 중 하나를 쓰세요."},
      {"step.sample_no_classes",
       "a regression lesson has no classes, so '{0}' names no sample: give its number (sample = 12)",
       "회귀 수업에는 클래스가 없어 '{0}'(으)로는 샘플을 고를 수 없습니다. 번호로 쓰세요(sample = 12)."},
      {"file.cannot_read", "cannot read the file", "파일을 읽을 수 없습니다."},
      {"image.online", "the image '{0}' is on the internet; put it in the lesson's folder (lessons work offline)",
       "인터넷에 있는 그림입니다: '{0}'. 수업 폴더에 넣으세요(수업은 인터넷 없이도 열려야 합니다)."},
      {"image.outside", "the image '{0}' must be inside the lesson's folder (a relative path, no '..')",
       "그림은 수업 폴더 안에 있어야 합니다(상대 경로, '..' 없이): '{0}'"},
      {"lesson.trained_outside", "the model file '{0}' must be inside the lesson's folder (a relative path, no '..')",
       "모델 파일 '{0}'은(는) 수업 폴더 안에 있어야 합니다(상대 경로, '..' 없이)."},
      {"lesson.trained_bad", "the model file '{0}' cannot be used: {1}", "모델 파일 '{0}'을(를) 쓸 수 없습니다: {1}"},
      {"lesson.trained_other_network",
       "the model file '{0}' holds another network than this lesson's [model] (its layers or data differ)",
       "모델 파일 '{0}'의 신경망이 이 수업의 [model]과 다릅니다(층이나 데이터가 다름)."},
      {"image.missing", "the image '{0}' is not there (looked in {1})", "그림 파일이 없습니다: '{0}' (찾아본 곳: {1})"},
      {"course.bad_id", "'{0}' is not a course id: use lower-case letters, digits and '-'",
       "과정 아이디로 쓸 수 없습니다: '{0}'. 영어 소문자, 숫자, '-'만 쓰세요."},
      {"course.bad_file", "'{0}' must be a .toml file inside the course's folder (relative, no '..')",
       "'{0}': 과정 폴더 안의 .toml 파일이어야 합니다(상대 경로, '..' 없이)."},
      {"course.listed_twice", "'{0}' is listed twice", "같은 파일이 두 번 들어 있습니다: '{0}'"},
      {"course.no_lessons", "a course needs at least one lesson", "과정에는 수업이 하나 이상 있어야 합니다."},
      {"course.lesson_missing", "the lesson '{0}' is not there", "수업 파일이 없습니다: '{0}'"},

      // TOML syntax: where the broken construct starts, in plain words.
      {"toml.invalid", "not valid TOML: {0}", "TOML 문법에 맞지 않습니다: {0}"},
      {"toml.unclosed_list", "the list opened on line {0} with `[` is never closed: add `]`",
       "{0}번째 줄에서 `[`로 연 목록이 닫히지 않았습니다. 목록 끝에 `]`를 넣으세요."},
      {"toml.unclosed_inline_table", "the table opened on line {0} with `{` is never closed: add `}` on the same line",
       "{0}번째 줄에서 `{`로 연 테이블이 닫히지 않았습니다. 같은 줄 끝에 `}`를 넣으세요."},
      {"toml.unclosed_header", "the table name on line {0} is never closed: add `{1}`",
       "{0}번째 줄의 테이블 이름이 닫히지 않았습니다. `{1}`를 넣으세요."},
      {"toml.unclosed_text", "the text opened on line {0} with `{1}` is never closed: add `{1}` where the text ends",
       "{0}번째 줄에서 `{1}`로 연 글이 닫히지 않았습니다. 글이 끝나는 곳에 `{1}`를 넣으세요."},
      {"toml.unclosed_string", "the text opened on line {0} with `{1}` is never closed: add `{1}` at its end",
       "{0}번째 줄에서 `{1}`로 연 글이 닫히지 않았습니다. 같은 줄의 글 끝에 `{1}`를 넣으세요."},
      {"toml.bad_value", "this value is not a number, true/false, a list or a table; if it is text, put it in quotes",
       "이 값은 숫자, true/false, 목록, 테이블 중 어느 것도 아닙니다. 글이라면 따옴표(\"...\")로 감싸세요."},
      {"toml.expected_equals", "expected `=` after the name: write name = value",
       "이름 뒤에 `=`가 와야 합니다. 이름 = 값 형태로 쓰세요."},
      {"toml.missing_value", "the value after `=` is missing", "`=` 뒤에 값이 없습니다."},
      {"toml.defined_twice", "'{0}' is defined twice: keep only one",
       "같은 이름이 두 번 나옵니다: '{0}'. 하나만 남기세요."},
      {"toml.list_comma", "the items of a list need commas between them: add `,`",
       "목록의 항목 사이에는 쉼표가 있어야 합니다. `,`를 넣으세요."},
      {"toml.extra_after_value", "something follows the value on this line: remove it, or start a new line",
       "값 뒤에 다른 글자가 더 있습니다. 지우거나 다음 줄로 옮기세요."},

      // Names of keys: in Korean a diagnostic shows "학습률(training.learning_rate): ...".
      {"field.format", "format", "형식 번호"},
      {"field.id", "id", "아이디"},
      {"field.title", "title", "제목"},
      {"field.audience", "audience", "대상"},
      {"field.minutes", "minutes", "수업 시간"},
      {"field.tags", "tags", "태그"},
      {"field.dataset", "dataset", "데이터"},
      {"field.source", "dataset source", "데이터셋"},
      {"field.samples", "samples", "샘플 수"},
      {"field.noise", "noise", "노이즈"},
      {"field.test_fraction", "test fraction", "테스트 데이터 비율"},
      {"field.seed", "seed", "시드"},
      {"field.features", "features", "특성 열"},
      {"field.target", "target", "예측할 열"},
      {"field.channels", "channels", "채널 수"},
      {"field.model", "model", "모델"},
      {"field.task", "task", "과제 유형"},
      {"field.inputs", "inputs", "입력 특성"},
      {"field.layers", "layers", "층"},
      {"field.type", "layer type", "층 종류"},
      {"field.units", "units", "뉴런 수"},
      {"field.activation", "activation", "활성화 함수"},
      {"field.filters", "filters", "필터 수"},
      {"field.kernel", "kernel", "커널 크기"},
      {"field.stride", "stride", "스트라이드"},
      {"field.padding", "padding", "패딩"},
      {"field.training", "training", "학습 설정"},
      {"field.optimizer", "optimizer", "최적화 방법"},
      {"field.learning_rate", "learning rate", "학습률"},
      {"field.batch_size", "batch size", "배치 크기"},
      {"field.epochs", "epochs", "에포크 수"},
      {"field.regularization", "regularization", "규제"},
      {"field.regularization_rate", "regularization rate", "규제 강도"},
      {"field.steps", "steps", "단계"},
      {"field.text", "text", "본문"},
      {"field.unlock", "unlocked controls", "열어 줄 조절 장치"},
      {"field.goal", "goal", "목표"},
      {"field.metric", "metric", "지표"},
      {"field.at_least", "goal's lower limit", "목표 하한"},
      {"field.at_most", "goal's upper limit", "목표 상한"},
      {"field.constraints", "constraints", "제한"},
      {"field.hint", "hint", "힌트"},
      {"field.view", "view", "보기"},
      {"field.sample", "sample", "샘플"},
      {"field.quiz", "quiz", "퀴즈"},
      {"field.question", "question", "질문"},
      {"field.choices", "choices", "보기"},
      {"field.answer", "answer", "정답 번호"},
      {"field.explanation", "explanation", "해설"},
      {"field.lessons", "lessons", "수업 목록"},
      {"field.solution", "solution", "해답"},

      // Metrics (SPEC.md section 4) as people say them.
      {"metric.train_loss", "training loss", "훈련 손실"},
      {"metric.test_loss", "test loss", "테스트 손실"},
      {"metric.train_accuracy", "training accuracy", "훈련 정확도"},
      {"metric.test_accuracy", "test accuracy", "테스트 정확도"},
      {"metric.train_mae", "training MAE", "훈련 오차(MAE)"},
      {"metric.test_mae", "test MAE", "테스트 오차(MAE)"},
      {"metric.test_r2", "test R²", "테스트 R²"},
      {"metric.epoch", "epoch", "에포크"},
      {"goal.desc_at_least", "{0} at least {1}", "{0} {1} 이상"},
      {"goal.desc_at_most", "{0} at most {1}", "{0} {1} 이하"},
      {"goal.desc_between", "{0} at least {1} and at most {2}", "{0} {1} 이상 {2} 이하"},

      // The compute center's answers (its API): English in "error", Korean in "error_ko".
      {"api.teacher_token_as_class",
       "that is a teacher token, not a class code: sign in as the class's teacher (--teacher)",
       "그것은 반 코드가 아니라 교사 토큰입니다. 반의 선생님으로 로그인하세요(--teacher)."},
      {"api.class_code_form", "a class code is 6 letters and digits (ask your teacher)",
       "반 코드는 글자와 숫자 6개입니다(선생님께 물어보세요)."},
      {"api.personal_code_form", "a personal code is 8 letters and digits, such as KMQ7-X3PD",
       "개인 코드는 KMQ7-X3PD처럼 글자와 숫자 8개입니다."},
      {"api.too_many_failures_address", "too many failed sign-ins from this address; wait a minute",
       "이 주소에서 로그인에 너무 많이 실패했습니다. 1분 뒤에 다시 해 보세요."},
      {"api.too_many_wrong_class_codes", "too many sign-ins with a wrong class code; wait a minute",
       "틀린 반 코드로 너무 많이 로그인했습니다. 1분 뒤에 다시 해 보세요."},
      {"api.no_such_class", "no class has the code '{0}' (ask your teacher)",
       "'{0}' 코드를 가진 반이 없습니다(선생님께 물어보세요)."},
      {"api.too_many_failures_class", "too many failed sign-ins to this class; wait a minute",
       "이 반에 로그인 실패가 너무 많습니다. 1분 뒤에 다시 해 보세요."},
      {"api.too_many_signins_name", "too many sign-ins as '{0}' in this class; wait a moment",
       "이 반에서 '{0}'(으)로 너무 자주 로그인했습니다. 잠시 뒤에 다시 해 보세요."},
      {"api.too_many_wrong_codes", "too many wrong personal codes for '{0}'; wait a moment",
       "'{0}'의 개인 코드를 너무 많이 틀렸습니다. 잠시 뒤에 다시 해 보세요."},
      {"api.not_on_roster", "there is no '{0}' on this class's roster: type your name as your teacher wrote it",
       "이 반 명단에 '{0}'이(가) 없습니다. 선생님이 쓴 그대로 이름을 입력하세요."},
      {"api.code_needed_roster", "sign in as '{0}' with your personal code (your teacher has it)",
       "'{0}'(으)로 로그인하려면 개인 코드가 필요합니다(선생님께 있습니다)."},
      {"api.name_taken",
       "the name '{0}' is taken in this class: sign in with its personal code, or choose another name",
       "'{0}'은(는) 이 반에서 이미 쓰는 이름입니다. 그 이름의 개인 코드로 로그인하거나 다른 이름을 고르세요."},
      {"api.wrong_code", "that is not the personal code of '{0}' (ask your teacher for a new one)",
       "'{0}'의 개인 코드가 아닙니다(선생님께 새 코드를 받으세요)."},
      {"api.class_full", "the class has {0} students, as many as this center allows ({1}); ask your teacher",
       "반에 학생이 {0}명으로, 이 센터가 허락하는 만큼({1}명) 찼습니다. 선생님께 물어보세요."},
      {"api.name_problem", "name: {0}", "이름: {0}"},
      {"api.name_length", "name: 1 to 40 characters, please", "이름은 1자에서 40자 사이로 써 주세요."},
      {"api.token_unknown", "this token is not known here or has expired (log in again)",
       "이 센터가 모르는 토큰이거나 기한이 지났습니다(다시 로그인하세요)."},
      {"api.too_many_requests", "too many requests; wait a moment", "요청이 너무 많습니다. 잠시 뒤에 다시 해 보세요."},
      {"api.quota_student",
       "you already have {0} jobs queued or running (the limit is {1}); wait for one to end or cancel one",
       "이미 기다리거나 실행 중인 작업이 {0}개입니다(한도 {1}개). 하나가 끝나기를 기다리거나 하나를 취소하세요."},
      {"api.quota_class", "your class has {0} jobs queued or running (the limit is {1}); wait for some to end",
       "반 전체에 기다리거나 실행 중인 작업이 {0}개입니다(한도 {1}개). 몇 개가 끝나기를 기다리세요."},
      {"api.quota_minutes", "your class has used its {0} minutes of the last 24 hours; ask your teacher",
       "반이 지난 24시간 동안 쓸 수 있는 {0}분을 다 썼습니다. 선생님께 물어보세요."},
      {"api.quota_minutes_pending",
       "your class's jobs queued and running would use the rest of its {0} minutes of the last 24 hours; wait for some "
       "to end, or ask your teacher",
       "반의 기다리는 작업과 실행 중인 작업이 지난 24시간의 {0}분 중 남은 시간을 다 쓸 것입니다. 몇 개가 끝나기를 "
       "기다리거나 선생님께 물어보세요."},
      {"api.teacher_cannot_submit", "a teacher's token watches the class; log in as a student to run jobs",
       "교사 토큰은 반을 지켜보는 용도입니다. 작업을 실행하려면 학생으로 로그인하세요."},

      // Data uploads (center): PUT/HEAD /api/v1/data/SHA256, jobs that name
      // their data by hash, and the CLI and app that upload it first.
      {"api.data_bad_hash", "the address must end in the file's SHA-256: 64 digits and letters a-f, lower case",
       "주소는 파일의 SHA-256(숫자와 소문자 a-f로 된 64글자)로 끝나야 합니다."},
      {"api.data_too_large", "the file is {0} MB; this center takes files of up to {1} MB",
       "파일이 {0}MB입니다. 이 센터는 {1}MB까지의 파일만 받습니다."},
      {"api.data_quota",
       "your class's data would take {0} MB, more than the {1} MB this center keeps for a class; ask your teacher",
       "반의 데이터가 {0}MB가 되어, 이 센터가 한 반에 허락하는 {1}MB를 넘습니다. 선생님께 물어보세요."},
      {"api.data_uploads_at_once", "you are already sending {0} files; wait for them to finish",
       "이미 파일 {0}개를 보내는 중입니다. 그것이 끝나기를 기다리세요."},
      {"api.data_no_room", "the center's disk has no room for this file now; tell your teacher",
       "센터의 디스크에 지금 이 파일을 둘 자리가 없습니다. 선생님께 알려 주세요."},
      {"api.data_cannot_write", "the center could not store this file; try again later",
       "센터가 이 파일을 저장하지 못했습니다. 나중에 다시 해 보세요."},
      {"api.data_mismatch",
       "the bytes sent are not the file named: their SHA-256 is {0}; nothing was kept (the file may have changed "
       "while it was sent: send it again)",
       "보낸 내용이 주소의 파일과 다릅니다(SHA-256이 {0}입니다). 아무것도 저장하지 않았습니다(보내는 동안 파일이 "
       "바뀌었을 수 있으니 다시 보내세요)."},
      {"api.data_short", "the file came shorter than its Content-Length; nothing was kept",
       "파일이 Content-Length보다 짧게 왔습니다. 아무것도 저장하지 않았습니다."},
      {"api.data_missing_hash",
       "this job's data has no data_sha256: upload the data first (the app and aisandbox-cli submit do)",
       "이 작업의 데이터에 data_sha256이 없습니다. 데이터를 먼저 올리세요(앱과 aisandbox-cli submit이 올립니다)."},
      {"api.data_not_held",
       "the center does not hold this job's data ({0}) for your class: upload the data first (the app and "
       "aisandbox-cli submit do)",
       "센터에 이 작업의 데이터({0})가 반의 것으로 없습니다. 데이터를 먼저 올리세요(앱과 aisandbox-cli submit이 "
       "올립니다)."},
      {"cli.center.uploading", "uploading data ({0} MB)…", "데이터를 올리는 중({0}MB)…"},
      {"cli.center.data_changed",
       "the data changed since the lesson was read ({0}): read the lesson again and send the job again",
       "수업을 읽은 뒤에 데이터가 바뀌었습니다({0}). 수업을 다시 읽고 작업을 다시 보내세요."},
      {"cli.center.data_unreadable", "cannot read the data to upload: {0}", "올릴 데이터를 읽을 수 없습니다: {0}"},

      // The command line (app/cli).
      // The compute center and the classroom from the command line.
      {"cli.center.no_login",
       "no center to talk to: log in first with\n  aisandbox-cli login --center URL --class CODE --name NAME --code "
       "PERSONAL_CODE\nor give --center and --token",
       "말을 걸 센터가 없습니다. 먼저 로그인하세요:\n  aisandbox-cli login --center 주소 --class 반코드 --name 이름 "
       "--code 개인코드\n또는 --center와 --token을 주세요."},
      {"cli.center.stopped_watching",
       "stopped watching; job {0} goes on at the center (aisandbox-cli watch {0} follows it again)",
       "지켜보기를 멈췄습니다. 작업 {0}은 센터에서 계속됩니다(aisandbox-cli watch {0}로 다시 볼 수 있습니다)."},
      {"cli.center.unreachable", "cannot reach the center: {0}", "센터에 연결할 수 없습니다: {0}"},
      {"cli.center.refused", "the center refused ({0}): {1}", "센터가 거절했습니다({0}): {1}"},
      {"cli.center.teacher_logged_in", "Logged in to {0} as the teacher of {1} ({2}). The token is saved in {3}",
       "{0}에 {1} 반의 선생님({2})으로 로그인했습니다. 토큰은 {3}에 저장했습니다."},
      {"cli.center.login_usage",
       "login needs --class CODE --name NAME (and --code, your personal code), or --teacher TOKEN",
       "login에는 --class 반코드 --name 이름(그리고 개인 코드 --code), 또는 --teacher 교사토큰이 필요합니다."},
      {"cli.center.teacher_token_as_class", "that is a teacher token, not a class code: use --teacher TOKEN",
       "그것은 반 코드가 아니라 교사 토큰입니다. --teacher 토큰으로 로그인하세요."},
      {"cli.center.logged_in", "Logged in to {0} as {1} (class {2}). The token is saved in {3}",
       "{0}에 {1}(반 {2})(으)로 로그인했습니다. 토큰은 {3}에 저장했습니다."},
      {"cli.center.new_code",
       "Your personal code is {0}\nWrite it down: the next time you sign in as {1} (on this or another computer) you "
       "need it:",
       "개인 코드는 {0}입니다.\n적어 두세요. 다음에 {1}(으)로 (이 컴퓨터나 다른 컴퓨터에서) 로그인할 때 필요합니다:"},
      {"cli.center.teacher_logged_out",
       "Forgot the teacher token on this computer (it is the class's own and still works: keep it safe)",
       "이 컴퓨터에서 교사 토큰을 지웠습니다(토큰은 반의 것이라 계속 쓸 수 있으니 잘 보관하세요)."},
      {"cli.center.logged_out", "Logged out of {0}", "{0}에서 로그아웃했습니다."},
      {"cli.center.cancelled", "cancelled {0}", "{0}을(를) 취소했습니다."},
      {"cli.center.queued", "job {0} is queued at {1}", "작업 {0}이(가) {1}에서 차례를 기다립니다."},
      {"cli.class.teacher_only",
       "this is a teacher's command: log in first with\n  aisandbox-cli login --center URL --teacher TEACHER_TOKEN",
       "선생님용 명령입니다. 먼저 로그인하세요:\n  aisandbox-cli login --center 주소 --teacher 교사토큰"},
      {"cli.class.no_lessons", "no lesson files in {0}", "{0}에 수업 파일이 없습니다."},
      {"cli.class.nothing_published", "nothing was published: fix the problems above and publish again",
       "아무것도 올리지 않았습니다. 위의 문제를 고친 뒤 다시 올리세요."},
      {"cli.class.published", "published {0} ({1})", "올렸습니다: {0} ({1})"},
      {"cli.class.unpublished", "unpublished {0}", "내렸습니다: {0}"},
      {"cli.class.wrote", "wrote {0}", "{0}에 썼습니다."},
      {"cli.class.wrote_cards", "wrote {0} card(s) to {1}", "카드 {0}장을 {1}에 썼습니다."},
      {"cli.class.signed_in", "(signed in)", "(로그인 중)"},
      {"cli.class.step", "{0} step {1}/{2}", "{0} {1}/{2}단계"},
      {"cli.class.reached", "(reached {0})", "({0}단계까지 감)"},
      {"cli.class.finished", "(finished)", "(마침)"},
      {"cli.unknown_command", "unknown command '{0}'", "알 수 없는 명령입니다: '{0}'"},
      {"cli.unknown_command_suggest", "unknown command '{0}': did you mean '{1}'?",
       "알 수 없는 명령입니다: '{0}'. 혹시 '{1}' 아닌가요?"},
      {"cli.command_required", "a command is required", "명령을 하나 써야 합니다."},
      {"cli.commands", "commands: {0}", "쓸 수 있는 명령: {0}"},
      {"cli.unknown_option", "unknown option '{0}' for '{1}'", "'{1}' 명령에는 '{0}' 옵션이 없습니다."},
      {"cli.unknown_option_suggest", "unknown option '{0}' for '{1}': did you mean '{2}'?",
       "'{1}' 명령에는 '{0}' 옵션이 없습니다. 혹시 '{2}' 아닌가요?"},
      {"cli.more_help", "Run with --help for more information.", "자세한 사용법은 --help로 보세요."},
      {"cli.no_such_path", "no such file or folder", "그런 파일이나 폴더가 없습니다."},
      {"cli.model_saved", "the trained model is saved in {0}", "학습한 모델을 {0}에 저장했습니다."},
      {"cli.center.bad_model", "the center sent a model file that cannot be used: {0}",
       "센터가 보낸 모델 파일을 쓸 수 없습니다: {0}"},
      {"model.not_a_model", "this is not an AI Sandbox model file: {0} (cut short, or another kind of file?)",
       "AI 샌드박스 모델 파일이 아닙니다: {0} (중간에 잘렸거나 다른 종류의 파일인가요?)"},
      {"model.no_version", "this is not an AI Sandbox model file (it has no \"aisandbox_model\" version)",
       "AI 샌드박스 모델 파일이 아닙니다(\"aisandbox_model\" 버전이 없습니다)."},
      {"model.version",
       "model file version {0} is not supported: this version of AI Sandbox reads version {1} (a newer AI Sandbox made "
       "it?)",
       "모델 파일 버전 {0}은(는) 지원하지 않습니다. 이 AI 샌드박스는 버전 {1}을(를) 읽습니다(더 새 AI 샌드박스로 "
       "만들었나요?)."},
      {"model.too_big", "a model file of {0} MB is larger than the {1} MB any model of AI Sandbox takes",
       "모델 파일이 {0}MB로, AI 샌드박스 모델의 한도 {1}MB보다 큽니다."},
      {"model.weight_count",
       "the file has {0} weight tensors, but its network has {1}: the weights do not fit the network",
       "파일에는 가중치 텐서가 {0}개 있지만 신경망에는 {1}개가 있습니다. 가중치가 신경망과 맞지 않습니다."},
      {"model.weight_misfit", "'{0}' {1} does not fit the network, which has '{2}' {3} here",
       "'{0}' {1}은(는) 신경망과 맞지 않습니다. 이 자리에는 '{2}' {3}이(가) 있어야 합니다."},
      {"model.cannot_open", "cannot open the model file", "모델 파일을 열 수 없습니다."},
      {"predict.cannot_read", "cannot read this file", "이 파일을 읽을 수 없습니다."},
      {"predict.too_big", "larger than {0} MB", "{0}MB보다 큽니다."},
      {"predict.not_for_images", "this model does not take images (give it a CSV file)",
       "이 모델은 이미지를 받지 않습니다. CSV 파일을 주세요."},
      {"predict.needs_images", "this model takes images, not a CSV file",
       "이 모델은 CSV 파일이 아니라 이미지를 받습니다."},
      {"predict.bad_image", "cannot be read as an image: {0}", "이미지로 읽을 수 없습니다: {0}"},
      {"predict.empty_cell", "the cell of column '{0}' is empty (or a number too large for a float)",
       "'{0}' 열의 칸이 비어 있습니다(또는 너무 큰 수입니다)."},
      {"predict.not_number", "column '{0}' holds '{1}', not a number", "'{0}' 열에 숫자가 아닌 '{1}'이(가) 있습니다."},
      {"predict.dropped_rows", "{0} rows with empty cells left out, as in training (missing = \"drop\")",
       "빈 칸이 있는 행 {0}개를 학습 때처럼 뺐습니다(missing = \"drop\")."},
      {"predict.not_finite",
       "the model's answer for {0} is not a finite number (inputs far outside its training data?)",
       "{0}에 대한 모델의 답이 유한한 수가 아닙니다(학습 데이터와 아주 다른 입력인가요?)."},
      {"predict.no_images", "no image files in this folder", "이 폴더에 이미지 파일이 없습니다."},
      {"cli.exported", "exported to {0}", "{0}(으)로 내보냈습니다."},
      {"cli.center.no_jobs", "no jobs yet", "아직 작업이 없습니다."},
      {"predict.bad_csv", "cannot be read as a table: {0}", "표로 읽을 수 없습니다: {0}"},
      {"predict.no_column", "there is no column '{0}'; the model needs the columns {1}",
       "'{0}' 열이 없습니다. 모델에는 {1} 열이 필요합니다."},
      {"predict.model_inputs", "the columns do not fit this model's inputs", "열이 이 모델의 입력과 맞지 않습니다."},
      {"predict.short_series", "a sequence model needs at least {0} rows (one window)",
       "시퀀스 모델에는 적어도 {0}개의 행(한 구간)이 필요합니다."},
      {"predict.too_many_files", "more than {0} image files", "이미지 파일이 {0}개보다 많습니다."},
      {"predict.folder_too_big", "more than {0} files and folders inside; give a smaller folder",
       "안에 파일과 폴더가 {0}개보다 많습니다. 더 작은 폴더를 주세요."},
      {"predict.no_such_file", "no such file or folder", "그런 파일이나 폴더가 없습니다."},
      {"predict.unknown_kind", "not an image (.png .jpg .jpeg .bmp .gif) or a CSV file",
       "이미지(.png .jpg .jpeg .bmp .gif)나 CSV 파일이 아닙니다."},
      {"predict.too_many", "{1}: more than {0} predictions at once; split the input into smaller files",
       "{1}: 한 번에 {0}개보다 많이 예측할 수 없습니다. 입력을 더 작은 파일로 나누세요."},
      {"cli.no_solution", "this lesson has no [solution] table", "이 수업에는 [solution] 테이블이 없습니다."},
      {"cli.no_gpu",
       "this computer cannot train on a GPU: the linked libtorch has no CUDA or no NVIDIA GPU was found; use "
       "--device cpu or auto",
       "이 컴퓨터에서는 GPU로 학습할 수 없습니다. 연결된 libtorch에 CUDA가 없거나 NVIDIA GPU를 찾지 못했습니다. "
       "--device cpu나 auto를 쓰세요."},
      {"cli.solution_ended", "the solution's run ended '{0}'",
       "해답(solution) 학습이 끝까지 가지 못했습니다(결과: {0})."},
      {"cli.solution_ended_why", "the solution's run ended '{0}': {1}",
       "해답(solution) 학습이 끝까지 가지 못했습니다(결과: {0}): {1}"},
      {"cli.solution_short", "the solution reaches {0} {1} at best, not {2}",
       "해답(solution)으로 학습해도 {0}의 최고 기록이 {1}입니다. 목표({2})에 못 미칩니다."},
      {"cli.duplicate_id", "the lesson id '{0}' is used by {1} too; ids must be unique",
       "{1}도 같은 수업 아이디('{0}')를 씁니다. 아이디는 서로 달라야 합니다."},
      {"cli.unlisted", "'{0}' is in the course's folder but not in its list, so students will not see it",
       "'{0}' 파일은 과정 폴더에 있지만 목록(lessons)에 없어서 학생에게 보이지 않습니다."},
      {"cli.count_lessons", "{0} lessons", "수업 {0}개"},
      {"cli.count_one_lesson", "1 lesson", "수업 1개"},
      {"cli.count_in_courses", " in {0} courses", " (과정 {0}개)"},
      {"cli.count_in_one_course", " in 1 course", " (과정 1개)"},
      {"cli.checked_with_errors", "checked {0}: {1} with errors", "검사한 것: {0}. 오류가 있는 파일: {1}개"},
      {"cli.paths_not_found", ", {0} path(s) not found", ", 찾지 못한 경로: {0}개"},
      {"cli.no_lesson_files", "no lesson files (*.toml) found", "수업 파일(*.toml)을 찾지 못했습니다."},
      {"cli.all_good", "checked {0}: all good", "검사한 것: {0}. 모두 통과했습니다"},
      {"cli.warnings", " ({0} warnings)", " (경고 {0}개)"},
      {"cli.one_warning", " (1 warning)", " (경고 1개)"},
      {"cli.started", "{0}: training on {1} ({2} engine), {3} parameters, {4} steps per epoch",
       "{0}: {1}에서 학습합니다({2} 엔진). 매개변수 {3}개, 에포크당 {4}단계"},
      {"cli.metrics_classification", "training loss {0}, accuracy {1} | test loss {2}, accuracy {3}",
       "훈련 손실 {0}, 정확도 {1} | 테스트 손실 {2}, 정확도 {3}"},
      {"cli.metrics_regression", "training loss {0}, MAE {1} | test loss {2}, MAE {3}, R² {4}",
       "훈련 손실 {0}, 오차(MAE) {1} | 테스트 손실 {2}, 오차(MAE) {3}, R² {4}"},
      {"cli.epoch_line", "epoch {0}/{1}  {2}  {3} steps/s", "에포크 {0}/{1}  {2}  초당 {3}단계"},
      {"cli.bar_line", "{0}/{1}  {2}  {3} steps/s", "{0}/{1}  {2}  초당 {3}단계"},
      {"cli.done", "done: {0} steps in {1} s ({2} steps/s)", "완료: {0}단계, {1}초 (초당 {2}단계)"},
      {"cli.stopped", "{0} after {1} steps", "{0}: {1}단계에서 멈췄습니다"},
      {"cli.final_epoch", " | epoch {0}: {1}", " | 에포크 {0}: {1}"},
      {"cli.goal_met", "step {0} goal met: {1} (final value {2})", "{0}단계 목표 달성: {1} (최종 값 {2})"},
      {"cli.goal_missed", "step {0} goal not met: {1} (final value {2})", "{0}단계 목표 미달성: {1} (최종 값 {2})"},
      {"cli.no_value", "none", "없음"},
      {"cli.nothing", "nothing", "없음"},
      {"reason.completed", "completed", "완료"},
      {"reason.cancelled", "cancelled", "취소"},
      {"reason.diverged", "diverged", "발산"},
      {"reason.failed", "failed", "실패"},
  };
  return table;
}

const MessageEntry* find_message(std::string_view key) {
  for (const auto& e : message_table()) {
    if (key == e.key) return &e;
  }
  return nullptr;
}

std::string fill_placeholders(std::string_view pattern, const std::vector<std::string>& args) {
  std::string out;
  out.reserve(pattern.size() + 32);
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '{' && i + 2 < pattern.size() && pattern[i + 2] == '}' && pattern[i + 1] >= '0' &&
        pattern[i + 1] <= '9') {
      const auto n = static_cast<size_t>(pattern[i + 1] - '0');
      if (n < args.size()) {
        out += args[n];
        i += 2;
        continue;
      }
    }
    out += pattern[i];
  }
  return out;
}

std::vector<int> placeholders_of(std::string_view pattern) {
  std::vector<int> out;
  for (size_t i = 0; i + 2 < pattern.size(); ++i) {
    if (pattern[i] == '{' && pattern[i + 2] == '}' && pattern[i + 1] >= '0' && pattern[i + 1] <= '9') {
      out.push_back(pattern[i + 1] - '0');
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

namespace {

const char* pattern_in(const MessageEntry& e, std::string_view lang) {
  return lang == "ko" ? e.ko : e.en;
}

std::string join_list(const std::vector<std::string>& items, std::string_view lang) {
  if (lang != "ko") return one_of(items);
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + items[i];
  return out;
}

std::string render_arg(const MsgArg& a, std::string_view lang) {
  switch (a.kind) {
    case MsgArg::Kind::value:
      return a.text;
    case MsgArg::Kind::phrase:
      return message_text(a.text, lang, a.items);
    case MsgArg::Kind::list:
      return join_list(a.items, lang);
  }
  return a.text;
}

}  // namespace

MsgArg phrase(std::string key, std::vector<std::string> args) {
  MsgArg a;
  a.kind = MsgArg::Kind::phrase;
  a.text = std::move(key);
  a.items = std::move(args);
  return a;
}

MsgArg list_arg(std::vector<std::string> items) {
  MsgArg a;
  a.kind = MsgArg::Kind::list;
  a.items = std::move(items);
  return a;
}

std::string message_text(std::string_view key, std::string_view lang, const std::vector<std::string>& args) {
  const MessageEntry* e = find_message(key);
  if (e == nullptr) {
    std::string out(key);
    for (const auto& a : args) out += " " + a;
    return out;
  }
  return fill_placeholders(pattern_in(*e, lang), args);
}

std::string render_message(const Message& m, std::string_view lang) {
  std::vector<std::string> args;
  args.reserve(m.args.size());
  for (const auto& a : m.args) args.push_back(render_arg(a, lang));
  return message_text(m.key, lang, args);
}

MsgArg suggestion(std::string_view word, const std::vector<std::string>& candidates) {
  std::string n = nearest(word, candidates);
  if (n.empty()) return {};
  return phrase("hint.did_you_mean", {std::move(n)});
}

}  // namespace aisb
