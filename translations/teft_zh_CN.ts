<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>Confirm</name>
    <message>
        <source>Continue</source>
        <translation>继续</translation>
    </message>
</context>
<context>
    <name>LocalTime</name>
    <message>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <source>%1 min %2 s</source>
        <translation>%1 分 %2 秒</translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1 小时 %2 分</translation>
    </message>
    <message>
        <source>%1 d %2 h</source>
        <translation>%1 天 %2 小时</translation>
    </message>
</context>
<context>
    <name>QObject</name>
    <message>
        <source>TEFT Studio</source>
        <translation>TEFT Studio</translation>
    </message>
    <message>
        <source>The job store cannot be used:

%1

Choose another data directory with --data-dir or in the settings.</source>
        <translation>无法使用任务存储：

%1

请通过 --data-dir 或在设置中选择其他数据目录。</translation>
    </message>
</context>
<context>
    <name>Stage</name>
    <message>
        <source>Loading the model</source>
        <translation>正在加载模型</translation>
    </message>
    <message>
        <source>Tokenizing the dataset</source>
        <translation>正在对数据集分词</translation>
    </message>
    <message>
        <source>Hashing the dataset</source>
        <translation>正在计算数据集哈希</translation>
    </message>
    <message>
        <source>Recording routing</source>
        <translation>正在记录路由</translation>
    </message>
    <message>
        <source>Training</source>
        <translation>训练</translation>
    </message>
    <message>
        <source>Measuring the held-out loss</source>
        <translation>正在测量留出集损失</translation>
    </message>
    <message>
        <source>Scoring the baseline</source>
        <translation>正在评估基线</translation>
    </message>
    <message>
        <source>Scoring submissions</source>
        <translation>正在为提交评分</translation>
    </message>
    <message>
        <source>Verifying submissions</source>
        <translation>正在验证提交</translation>
    </message>
    <message>
        <source>Generating data</source>
        <translation>正在生成数据</translation>
    </message>
    <message>
        <source>Evaluating</source>
        <translation>正在评估</translation>
    </message>
    <message>
        <source>Writing</source>
        <translation>正在写入</translation>
    </message>
    <message>
        <source>Checking the model fingerprint</source>
        <translation>正在检查模型指纹</translation>
    </message>
    <message>
        <source>Paused (checkpoint saved)</source>
        <translation>已暂停（检查点已保存）</translation>
    </message>
    <message>
        <source>Uploading</source>
        <translation>正在上传</translation>
    </message>
    <message>
        <source>Downloading</source>
        <translation>正在下载</translation>
    </message>
    <message>
        <source>Listing the store</source>
        <translation>正在列出存储内容</translation>
    </message>
</context>
<context>
    <name>teft::ui::AboutDialog</name>
    <message>
        <source>About TEFT Studio</source>
        <translation>关于 TEFT Studio</translation>
    </message>
    <message>
        <source>&lt;h2&gt;TEFT Studio %1&lt;/h2&gt;&lt;p&gt;Targeted Expert Fine-Tuning for Mixture-of-Experts language models: find the experts a domain is routed to, train only those, score miners&apos; submissions by held-out loss, and merge the result back into the full model.&lt;/p&gt;&lt;p&gt;Engine: LibTorch %2, Qt %3, %4 CPU threads.&lt;/p&gt;</source>
        <translation>&lt;h2&gt;TEFT Studio %1&lt;/h2&gt;&lt;p&gt;面向混合专家（MoE）语言模型的定向专家微调：找出某一领域被路由到的专家，只训练这些专家，按留出集损失为矿工的提交评分，并将结果合并回完整模型。&lt;/p&gt;&lt;p&gt;引擎：LibTorch %2，Qt %3，%4 个 CPU 线程。&lt;/p&gt;</translation>
    </message>
</context>
<context>
    <name>teft::ui::DatasetPage</name>
    <message>
        <source>Target data</source>
        <translation>目标数据</translation>
    </message>
    <message>
        <source>Add &amp;files…</source>
        <translation>添加文件(&amp;F)…</translation>
    </message>
    <message>
        <source>Add f&amp;older…</source>
        <translation>添加文件夹(&amp;O)…</translation>
    </message>
    <message>
        <source>Use &amp;demo data</source>
        <translation>使用演示数据(&amp;D)</translation>
    </message>
    <message>
        <source>Detect</source>
        <translation>自动检测</translation>
    </message>
    <message>
        <source>JSON Lines</source>
        <translation>JSON Lines</translation>
    </message>
    <message>
        <source>Plain text</source>
        <translation>纯文本</translation>
    </message>
    <message>
        <source>CSV</source>
        <translation>CSV</translation>
    </message>
    <message>
        <source>TSV</source>
        <translation>TSV</translation>
    </message>
    <message>
        <source>text (or chat “messages”)</source>
        <translation>text（或对话格式的 “messages”）</translation>
    </message>
    <message>
        <source>JSON Lines: the field with the text (nested with dots). CSV/TSV: the column name.</source>
        <translation>JSON Lines：包含文本的字段（嵌套字段用点号分隔）。CSV/TSV：列名。</translation>
    </message>
    <message>
        <source>Share of the documents kept aside for validation (proof of loss)</source>
        <translation>留作验证（损失证明）的文档比例</translation>
    </message>
    <message>
        <source>Files:</source>
        <translation>文件：</translation>
    </message>
    <message>
        <source>Format:</source>
        <translation>格式：</translation>
    </message>
    <message>
        <source>Text field:</source>
        <translation>文本字段：</translation>
    </message>
    <message>
        <source>Held-out fraction:</source>
        <translation>留出比例：</translation>
    </message>
    <message>
        <source>Add data files</source>
        <translation>添加数据文件</translation>
    </message>
    <message>
        <source>Data (*.jsonl *.ndjson *.json *.txt *.md *.csv *.tsv);;All files (*)</source>
        <translation>数据 (*.jsonl *.ndjson *.json *.txt *.md *.csv *.tsv);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Add a data folder</source>
        <translation>添加数据文件夹</translation>
    </message>
    <message>
        <source>Add files or a folder to see the first records.</source>
        <translation>添加文件或文件夹以查看前几条记录。</translation>
    </message>
    <message>
        <source>Token counts unavailable: %1</source>
        <translation>词元数量不可用：%1</translation>
    </message>
    <message numerus="yes">
        <source>%n file(s)</source>
        <translation>
            <numerusform>%n 个文件</numerusform>
        </translation>
    </message>
    <message>
        <source>read as %1</source>
        <translation>按 %1 读取</translation>
    </message>
    <message>
        <source>no usable record: check the format and the text field</source>
        <translation>没有可用的记录：请检查格式和文本字段</translation>
    </message>
    <message>
        <source>1 record skipped</source>
        <translation>跳过了 1 条记录</translation>
    </message>
    <message>
        <source>%1 records skipped</source>
        <translation>跳过了 %1 条记录</translation>
    </message>
    <message>
        <source> (first at %1: %2)</source>
        <translation>（首次出现于 %1：%2）</translation>
    </message>
    <message>
        <source>Data</source>
        <translation>数据</translation>
    </message>
    <message>
        <source>The target data the experts should get better at, and reference data (general text) to compare with: JSON Lines, CSV/TSV or plain text files, or folders of them.</source>
        <translation>专家需要提升的目标数据，以及用于对比的参考数据（通用文本）：JSON Lines、CSV/TSV 或纯文本文件，或包含这些文件的文件夹。</translation>
    </message>
    <message>
        <source>Dataset</source>
        <translation>数据集</translation>
    </message>
    <message>
        <source>Files</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>Records</source>
        <translation>记录数</translation>
    </message>
    <message>
        <source>Tokens</source>
        <translation>词元数</translation>
    </message>
    <message>
        <source>Problems</source>
        <translation>问题</translation>
    </message>
    <message>
        <source>Add &amp;reference</source>
        <translation>添加参考(&amp;R)</translation>
    </message>
    <message>
        <source>Add a reference dataset: general text the contrast metrics compare the target with; a merge reports its loss as out-of-domain</source>
        <translation>添加参考数据集：对比指标将目标与这些通用文本进行比较；合并时其损失作为领域外损失报告</translation>
    </message>
    <message>
        <source>Remove re&amp;ference</source>
        <translation>移除参考(&amp;E)</translation>
    </message>
    <message>
        <source>Re&amp;move</source>
        <translation>移除(&amp;M)</translation>
    </message>
    <message>
        <source>Write a small generated corpus into the data directory (source code for the target, prose for a reference)</source>
        <translation>将一个小型生成语料写入数据目录（目标为源代码，参考为散文）</translation>
    </message>
    <message>
        <source>the count was stopped: change the data or press Back and Next to count again</source>
        <translation>计数已停止：请更改数据，或点击“上一步”和“下一步”重新计数</translation>
    </message>
    <message>
        <source>not counted: %1</source>
        <translation>未计数：%1</translation>
    </message>
    <message>
        <source>Reference data %1</source>
        <translation>参考数据 %1</translation>
    </message>
    <message>
        <source>Target</source>
        <translation>目标</translation>
    </message>
    <message>
        <source>Reference %1</source>
        <translation>参考 %1</translation>
    </message>
    <message>
        <source>in the first records: %1</source>
        <translation>前几条记录中：%1</translation>
    </message>
    <message>
        <source>no files yet: add files or a folder</source>
        <translation>尚无文件：请添加文件或文件夹</translation>
    </message>
    <message>
        <source>counting…</source>
        <translation>正在计数…</translation>
    </message>
    <message>
        <source>not counted</source>
        <translation>未计数</translation>
    </message>
    <message>
        <source>–</source>
        <translation>–</translation>
    </message>
    <message>
        <source>Not tokenized: the model&apos;s tokenizer could not be read</source>
        <translation>未分词：无法读取模型的分词器</translation>
    </message>
    <message>
        <source>cannot be used: %1</source>
        <translation>无法使用：%1</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
</context>
<context>
    <name>teft::ui::DatasetPreviewModel</name>
    <message>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <source>Text</source>
        <translation>文本</translation>
    </message>
    <message>
        <source>Tokens</source>
        <translation>词元数</translation>
    </message>
</context>
<context>
    <name>teft::ui::DemoProjectController</name>
    <message>
        <source>Cannot open the demo</source>
        <translation>无法打开演示</translation>
    </message>
</context>
<context>
    <name>teft::ui::DeviceChoices</name>
    <message>
        <source>%1: %2, %3 free of %4</source>
        <translation>%1：%2，可用 %3 / %4</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <source>%1: unavailable (%2)</source>
        <translation>%1：不可用（%2）</translation>
    </message>
    <message>
        <source>Automatic (now: %1)</source>
        <translation>自动（当前：%1）</translation>
    </message>
    <message>
        <source>CPU, 1 thread</source>
        <translation>CPU，1 个线程</translation>
    </message>
    <message>
        <source>CPU, %1 threads</source>
        <translation>CPU，%1 个线程</translation>
    </message>
</context>
<context>
    <name>teft::ui::DevicePage</name>
    <message>
        <source>Device</source>
        <translation>设备</translation>
    </message>
    <message>
        <source>Where expert identification and training run. The choice can be changed per job.</source>
        <translation>专家识别和训练在何处运行。可针对每个任务单独更改。</translation>
    </message>
    <message>
        <source>&amp;CPU</source>
        <translation>CPU(&amp;C)</translation>
    </message>
    <message>
        <source>No CUDA device found, or this build of the engine is CPU-only</source>
        <translation>未找到 CUDA 设备，或此版本的引擎仅支持 CPU</translation>
    </message>
    <message>
        <source>&amp;GPU (CUDA):</source>
        <translation>GPU (CUDA)(&amp;G)：</translation>
    </message>
    <message>
        <source>no GPU found</source>
        <translation>未找到 GPU</translation>
    </message>
    <message>
        <source>GPU: none (%1)</source>
        <translation>GPU：无（%1）</translation>
    </message>
    <message>
        <source>the CUDA backend is loaded but sees no GPU</source>
        <translation>CUDA 后端已加载，但未检测到 GPU</translation>
    </message>
</context>
<context>
    <name>teft::ui::ErrorAdvice</name>
    <message>
        <source>Lower the batch size or the sequence length, choose masked routing so that only the selected experts are held, select fewer experts, or use bf16.</source>
        <translation>请减小批大小或序列长度，选择掩码路由以便只保留所选专家，减少所选专家数量，或改用 bf16。</translation>
    </message>
    <message>
        <source>Choose the CPU as device, or check the GPU driver.</source>
        <translation>请选择 CPU 作为设备，或检查 GPU 驱动程序。</translation>
    </message>
    <message>
        <source>Free some disk space, or choose a folder you may write to, then start again.</source>
        <translation>请释放一些磁盘空间，或选择一个有写入权限的文件夹，然后重新开始。</translation>
    </message>
    <message>
        <source>Check the network connection and the address of the other side, then try again.</source>
        <translation>请检查网络连接和对方的地址，然后重试。</translation>
    </message>
    <message>
        <source>The file named in the message is damaged or not in the expected format: replace it or choose another one.</source>
        <translation>消息中提到的文件已损坏或格式不符：请替换它或选择其他文件。</translation>
    </message>
    <message>
        <source>Correct the value named in the message, then start again.</source>
        <translation>请更正消息中提到的值，然后重新开始。</translation>
    </message>
    <message>
        <source>Check the settings and the log for details, then start again.</source>
        <translation>请检查设置和日志以了解详情，然后重新开始。</translation>
    </message>
    <message>
        <source>Lower the learning rate (1e-5 is a safe start) or train in fp32.</source>
        <translation>请降低学习率（1e-5 是稳妥的起点）或使用 fp32 训练。</translation>
    </message>
</context>
<context>
    <name>teft::ui::GuideDialog</name>
    <message>
        <source>TEFT Studio Guide</source>
        <translation>TEFT Studio 指南</translation>
    </message>
    <message>
        <source>The loop of a project</source>
        <translation>项目的工作流程</translation>
    </message>
    <message>
        <source>TEFT adapts a Mixture-of-Experts model to a domain by training only the experts that the domain&apos;s tokens are routed to. A project holds the model, the target data (and optionally reference data) and everything the steps below produce. Every page works on the open project; the status bar names it.</source>
        <translation>TEFT 通过只训练某一领域的词元被路由到的专家，使混合专家（MoE）模型适应该领域。项目包含模型、目标数据（以及可选的参考数据）和以下各步骤产生的所有结果。每个页面都作用于当前打开的项目；状态栏会显示其名称。</translation>
    </message>
    <message>
        <source>&lt;b&gt;Experts: run identification.&lt;/b&gt; “Run identification” passes the target (and reference) data through the frozen model and records which experts the tokens are routed to. The heatmap shows one row per MoE layer and one column per expert.</source>
        <translation>&lt;b&gt;专家：运行识别。&lt;/b&gt;“运行识别”将目标（及参考）数据输入冻结的模型，并记录词元被路由到哪些专家。热力图中每行对应一个 MoE 层，每列对应一个专家。</translation>
    </message>
    <message>
        <source>&lt;b&gt;Experts: choose the experts.&lt;/b&gt; Pick a metric (the contrast metrics need reference data), apply a policy (top-k per layer, top-p, a global budget) or click and drag on the heatmap. The summary shows the trainable parameters and the size of a submission. Undo and Redo step through every change.</source>
        <translation>&lt;b&gt;专家：选择专家。&lt;/b&gt;选择一个指标（对比指标需要参考数据），应用一种策略（每层 Top-k、Top-p、全局预算），或在热力图上点击并拖动。摘要显示可训练参数和一次提交的大小。撤销和重做可逐步回溯每一次更改。</translation>
    </message>
    <message>
        <source>&lt;b&gt;Save to project&lt;/b&gt; (Ctrl+S). Training and validation use the project&apos;s saved selection. A selection made for another model (other layers or experts) is refused.</source>
        <translation>&lt;b&gt;保存到项目&lt;/b&gt;（Ctrl+S）。训练和验证使用项目中保存的专家选择。为其他模型（不同的层或专家）所做的选择会被拒绝。</translation>
    </message>
    <message>
        <source>&lt;b&gt;Merge.&lt;/b&gt; Writes the trained experts back into a full checkpoint and compares the held-out losses before and after: in-domain should fall, out-of-domain stay flat.</source>
        <translation>&lt;b&gt;合并。&lt;/b&gt;将训练后的专家写回完整检查点，并比较合并前后的留出集损失：领域内损失应下降，领域外损失应基本不变。</translation>
    </message>
    <message>
        <source>&lt;b&gt;Jobs.&lt;/b&gt; Every job of this machine, including those of the teft command line: its state, duration and output folder. Interrupted training resumes here.</source>
        <translation>&lt;b&gt;任务。&lt;/b&gt;本机的每个任务，包括来自 teft 命令行的任务：其状态、时长和输出文件夹。中断的训练可在此继续。</translation>
    </message>
    <message>
        <source>Feedback</source>
        <translation>反馈</translation>
    </message>
    <message>
        <source>Saves, failures and finished jobs appear in the status bar and in the log (View → Log, Ctrl+L), where warnings and errors are highlighted. Quitting while work runs asks first.</source>
        <translation>保存、失败和已完成的任务会显示在状态栏和日志中（视图 → 日志，Ctrl+L），警告和错误会被突出显示。在有工作运行时退出，会先征求确认。</translation>
    </message>
    <message>
        <source>&lt;b&gt;Open a project.&lt;/b&gt; File → New Project… chooses the model folder, the target dataset, any number of reference datasets (other domains the model must not forget) and the device; File → Open Project… or File → Recent Projects opens an existing one; the start page also opens the built-in demo.</source>
        <translation>&lt;b&gt;打开项目。&lt;/b&gt;“文件 → 新建项目…”用于选择模型文件夹、目标数据集、任意数量的参考数据集（模型不能遗忘的其他领域）以及设备；“文件 → 打开项目…”或“文件 → 最近的项目”可打开已有项目；起始页还可以打开内置演示。</translation>
    </message>
    <message>
        <source>&lt;b&gt;Train.&lt;/b&gt; “Start new run” trains the saved experts on the target data (or one shard of it) under the run&apos;s name, in its own folder, with live loss charts. “Continue run” resumes a stopped run from its checkpoint (so does Resume on the Jobs page). Tick runs to overlay their curves on “Compare runs”.</source>
        <translation>&lt;b&gt;训练。&lt;/b&gt;“开始新运行”以该运行的名称、在其独立的文件夹中用目标数据（或其中一个分片）训练已保存的专家，并实时显示损失曲线。“继续运行”从检查点继续已停止的运行（“任务”页面上的“继续”也可以）。勾选多个运行，即可在“比较运行”中叠加显示其曲线。</translation>
    </message>
    <message>
        <source>&lt;b&gt;Validate.&lt;/b&gt; The Submissions list shows the project&apos;s runs and the submissions you added from elsewhere (“Add submission…”; nothing is copied). “Score selected” verifies and scores the ticked ones against the project&apos;s current weights. Check the ranking, accept or reject submissions, then “Run outer step” applies the round; it cannot be undone.</source>
        <translation>&lt;b&gt;验证。&lt;/b&gt;“提交”列表显示项目的运行，以及您从其他位置添加的提交（“添加提交…”；不会复制任何内容）。“为所选评分”会针对项目的当前权重验证勾选的提交并为其评分。检查排名，接受或拒绝提交，然后点击“执行外层步骤”应用本轮结果；此操作无法撤销。</translation>
    </message>
</context>
<context>
    <name>teft::ui::JobsPage</name>
    <message>
        <source>&amp;Open output folder</source>
        <translation>打开输出文件夹(&amp;O)</translation>
    </message>
    <message>
        <source>&amp;Resume</source>
        <translation>继续(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Clone settings</source>
        <translation>克隆设置(&amp;C)</translation>
    </message>
    <message>
        <source>Start a new job of the same kind with the same settings</source>
        <translation>以相同设置启动一个同类型的新任务</translation>
    </message>
    <message>
        <source>Re&amp;fresh</source>
        <translation>刷新(&amp;F)</translation>
    </message>
    <message>
        <source>Jobs of this machine, from the desktop application and from the teft command line</source>
        <translation>本机的任务，包括来自桌面应用程序和 teft 命令行的任务</translation>
    </message>
    <message>
        <source>Continue an interrupted, cancelled or out-of-memory training job from its last checkpoint</source>
        <translation>从最近的检查点继续已中断、已取消或内存不足的训练任务</translation>
    </message>
    <message>
        <source>The output folder of job %1 does not exist (any more): %2</source>
        <translation>任务 %1 的输出文件夹不存在（或已被删除）：%2</translation>
    </message>
    <message>
        <source>No application could open the folder %1. Open it with your file manager.</source>
        <translation>没有应用程序能打开文件夹 %1。请使用文件管理器打开它。</translation>
    </message>
    <message>
        <source>Cannot open the output folder</source>
        <translation>无法打开输出文件夹</translation>
    </message>
    <message>
        <source>The job store cannot be read: %1</source>
        <translation>无法读取任务存储：%1</translation>
    </message>
    <message>
        <source>Job %1 (%2) %3.</source>
        <translation>任务 %1（%2）%3。</translation>
    </message>
    <message>
        <source>Job %1 already continued this job: resume that one if it stopped</source>
        <translation>任务 %1 已接续此任务：如果它已停止，请继续那个任务</translation>
    </message>
</context>
<context>
    <name>teft::ui::JobsTableModel</name>
    <message>
        <source>queued</source>
        <translation>排队中</translation>
    </message>
    <message>
        <source>running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <source>paused</source>
        <translation>已暂停</translation>
    </message>
    <message>
        <source>succeeded</source>
        <translation>已成功</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>已失败</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <source>interrupted</source>
        <translation>已中断</translation>
    </message>
    <message>
        <source>Process %1 on %2</source>
        <translation>%2 上的进程 %1</translation>
    </message>
    <message>
        <source>Job</source>
        <translation>任务</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Progress</source>
        <translation>进度</translation>
    </message>
    <message>
        <source>Stage</source>
        <translation>阶段</translation>
    </message>
    <message>
        <source>Started</source>
        <translation>开始时间</translation>
    </message>
    <message>
        <source>Output</source>
        <translation>输出</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>错误</translation>
    </message>
    <message>
        <source>project %1</source>
        <translation>项目 %1</translation>
    </message>
    <message>
        <source>Continued by job %1</source>
        <translation>已由任务 %1 接续</translation>
    </message>
    <message>
        <source>%1 (UTC)</source>
        <translation>%1（UTC）</translation>
    </message>
    <message>
        <source>Project</source>
        <translation>项目</translation>
    </message>
    <message>
        <source>Duration</source>
        <translation>时长</translation>
    </message>
</context>
<context>
    <name>teft::ui::LiveChart</name>
    <message>
        <source>Step</source>
        <translation>步数</translation>
    </message>
    <message>
        <source>%1 at step %2: %3</source>
        <translation>%1（第 %2 步）：%3</translation>
    </message>
</context>
<context>
    <name>teft::ui::LogDock</name>
    <message>
        <source>Log</source>
        <translation>日志</translation>
    </message>
    <message>
        <source>Show:</source>
        <translation>显示：</translation>
    </message>
    <message>
        <source>Debug and above</source>
        <translation>调试及以上</translation>
    </message>
    <message>
        <source>Info and above</source>
        <translation>信息及以上</translation>
    </message>
    <message>
        <source>Warnings and errors</source>
        <translation>警告和错误</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>清空</translation>
    </message>
</context>
<context>
    <name>teft::ui::MainWindow</name>
    <message>
        <source>Start</source>
        <translation>开始</translation>
    </message>
    <message>
        <source>Experts</source>
        <translation>专家</translation>
    </message>
    <message>
        <source>Train</source>
        <translation>训练</translation>
    </message>
    <message>
        <source>Validate</source>
        <translation>验证</translation>
    </message>
    <message>
        <source>Merge</source>
        <translation>合并</translation>
    </message>
    <message>
        <source>Jobs</source>
        <translation>任务</translation>
    </message>
    <message>
        <source>TEFT Studio</source>
        <translation>TEFT Studio</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;New Project…</source>
        <translation>新建项目(&amp;N)…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>Ctrl+L</source>
        <translation>Ctrl+L</translation>
    </message>
    <message>
        <source>&amp;Tools</source>
        <translation>工具(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>设置(&amp;S)…</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;About TEFT Studio</source>
        <translation>关于 TEFT Studio(&amp;A)</translation>
    </message>
    <message>
        <source>About &amp;Qt</source>
        <translation>关于 Qt(&amp;Q)</translation>
    </message>
    <message>
        <source>Device: %1 (%2)</source>
        <translation>设备：%1（%2）</translation>
    </message>
    <message>
        <source>Device: %1</source>
        <translation>设备：%1</translation>
    </message>
    <message>
        <source>Data: %1</source>
        <translation>数据：%1</translation>
    </message>
    <message>
        <source>Cannot use this job</source>
        <translation>无法使用此任务</translation>
    </message>
    <message>
        <source>No project open</source>
        <translation>未打开项目</translation>
    </message>
    <message>
        <source>Project: %1</source>
        <translation>项目：%1</translation>
    </message>
    <message>
        <source>Cannot repeat this job here</source>
        <translation>无法在此重复此任务</translation>
    </message>
    <message>
        <source>This “%1” job does not belong to a project of this application; run it again with the teft command line.</source>
        <translation>此“%1”任务不属于本应用的任何项目；请使用 teft 命令行重新运行。</translation>
    </message>
    <message>
        <source>Expert identification</source>
        <translation>专家识别</translation>
    </message>
    <message>
        <source>Training</source>
        <translation>训练</translation>
    </message>
    <message>
        <source>Validation (scoring or the outer step)</source>
        <translation>验证（评分或外层步骤）</translation>
    </message>
    <message>
        <source>Preparing the built-in demo</source>
        <translation>正在准备内置演示</translation>
    </message>
    <message>
        <source>&amp;Open Project…</source>
        <translation>打开项目(&amp;O)…</translation>
    </message>
    <message>
        <source>&amp;Recent Projects</source>
        <translation>最近的项目(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Close Project</source>
        <translation>关闭项目(&amp;C)</translation>
    </message>
    <message>
        <source>TEFT Studio &amp;Guide</source>
        <translation>TEFT Studio 指南(&amp;G)</translation>
    </message>
    <message>
        <source>No projects yet</source>
        <translation>尚无项目</translation>
    </message>
    <message>
        <source>This is still running and stops when TEFT Studio quits:

%1

A stopped training run can be resumed later from the Jobs page. Quit anyway?</source>
        <translation>以下工作仍在运行，退出 TEFT Studio 时将会停止：

%1

已停止的训练运行之后可在“任务”页面继续。仍要退出吗？</translation>
    </message>
    <message>
        <source>Quit TEFT Studio?</source>
        <translation>退出 TEFT Studio？</translation>
    </message>
    <message>
        <source>This is still running:

%1

Switching the project stops what belongs to the open project; a stopped training run can be resumed later from the Jobs page. Switch anyway?</source>
        <translation>以下工作仍在运行：

%1

切换项目会停止属于当前打开项目的工作；已停止的训练运行之后可在“任务”页面继续。仍要切换吗？</translation>
    </message>
    <message>
        <source>Switch the project?</source>
        <translation>切换项目？</translation>
    </message>
    <message>
        <source>&amp;Switch project</source>
        <translation>切换项目(&amp;S)</translation>
    </message>
    <message>
        <source>Network</source>
        <translation>网络</translation>
    </message>
    <message>
        <source>To publish %1: connect to the network&apos;s store, then Publish submission… (this run&apos;s submission is offered first). %2</source>
        <translation>要发布 %1：请连接到网络的存储，然后点击“发布提交…”（会优先提供本次运行的提交）。%2</translation>
    </message>
    <message>
        <source>A network step (pull, publish, close, verify)</source>
        <translation>网络步骤（拉取、发布、关闭、校验）</translation>
    </message>
    <message>
        <source>To close the round: connect to the network&apos;s store, then Close round &amp; publish (%1)</source>
        <translation>要关闭轮次：先连接到网络的存储，然后点击“关闭轮次并发布”（%1）</translation>
    </message>
</context>
<context>
    <name>teft::ui::MergeComparisonModel</name>
    <message>
        <source>in-domain</source>
        <translation>领域内</translation>
    </message>
    <message>
        <source>out-of-domain</source>
        <translation>领域外</translation>
    </message>
    <message>
        <source>Dataset</source>
        <translation>数据集</translation>
    </message>
    <message>
        <source>Domain</source>
        <translation>领域</translation>
    </message>
    <message>
        <source>Loss before</source>
        <translation>合并前损失</translation>
    </message>
    <message>
        <source>Loss after</source>
        <translation>合并后损失</translation>
    </message>
    <message>
        <source>Change</source>
        <translation>变化</translation>
    </message>
</context>
<context>
    <name>teft::ui::MergeController</name>
    <message>
        <source>dataset</source>
        <translation>数据集</translation>
    </message>
    <message numerus="yes">
        <source>%1 and %n more</source>
        <translation>
            <numerusform>%1 及另外 %n 个</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 (target, held-out)</source>
        <translation>%1（目标，留出集）</translation>
    </message>
    <message>
        <source>%1 (reference, held-out)</source>
        <translation>%1（参考，留出集）</translation>
    </message>
    <message>
        <source>Merges the validator&apos;s current Φ into %1.</source>
        <translation>将验证者当前的 Φ 合并到 %1。</translation>
    </message>
    <message>
        <source>Merged checkpoint written to %1.</source>
        <translation>合并后的检查点已写入 %1。</translation>
    </message>
    <message>
        <source>Merge failed: %1</source>
        <translation>合并失败：%1</translation>
    </message>
    <message>
        <source>Replace the merged checkpoint?</source>
        <translation>替换合并后的检查点？</translation>
    </message>
    <message>
        <source>%1 already exists and is not empty. The merge replaces what is there with the new checkpoint.</source>
        <translation>%1 已存在且不为空。合并会用新的检查点替换其中的内容。</translation>
    </message>
    <message>
        <source>Replace</source>
        <translation>替换</translation>
    </message>
    <message>
        <source>Open or create a project, train its experts and apply a validator round first</source>
        <translation>请先打开或创建项目，训练其专家并应用一轮验证</translation>
    </message>
    <message>
        <source>No project open. Open or create a project, train and validate a round, then merge its trained experts into the base model here.</source>
        <translation>未打开项目。请打开或创建项目，训练并验证一轮，然后在此将训练后的专家合并到基础模型中。</translation>
    </message>
</context>
<context>
    <name>teft::ui::MergePage</name>
    <message>
        <source>Folder for the merged checkpoint</source>
        <translation>合并后检查点的文件夹</translation>
    </message>
    <message>
        <source>&amp;Browse…</source>
        <translation>浏览(&amp;B)…</translation>
    </message>
    <message>
        <source>&amp;Merge</source>
        <translation>合并(&amp;M)</translation>
    </message>
    <message>
        <source>Write Φ back into the base model at the selected experts, in the base model&apos;s own layout</source>
        <translation>将 Φ 写回基础模型中所选专家的位置，并保持基础模型自身的布局</translation>
    </message>
    <message>
        <source>&amp;Cancel</source>
        <translation>取消(&amp;C)</translation>
    </message>
    <message>
        <source>Output folder:</source>
        <translation>输出文件夹：</translation>
    </message>
    <message>
        <source>Losses before and after the merge: in-domain should fall, out-of-domain stay flat.</source>
        <translation>合并前后的损失：领域内损失应下降，领域外损失应基本不变。</translation>
    </message>
    <message>
        <source>Choose an output folder first.</source>
        <translation>请先选择输出文件夹。</translation>
    </message>
    <message>
        <source>Merging into %1…</source>
        <translation>正在合并到 %1…</translation>
    </message>
    <message>
        <source>%1: %2 of %3</source>
        <translation>%1：%2 / %3</translation>
    </message>
    <message>
        <source>Cancelled; nothing was written.</source>
        <translation>已取消；未写入任何内容。</translation>
    </message>
    <message>
        <source>Failed: %1</source>
        <translation>失败：%1</translation>
    </message>
    <message>
        <source>Merge failed</source>
        <translation>合并失败</translation>
    </message>
    <message>
        <source>Check that the output folder is writable and has room for the whole model.</source>
        <translation>请检查输出文件夹是否可写，并有足够空间容纳整个模型。</translation>
    </message>
    <message>
        <source>Merged checkpoint written to %1.</source>
        <translation>合并后的检查点已写入 %1。</translation>
    </message>
    <message>
        <source>Open or create a project, train its experts and apply a validator round first</source>
        <translation>请先打开或创建项目，训练其专家并应用一轮验证</translation>
    </message>
    <message>
        <source>No project open. Open or create a project, train and validate a round, then merge its trained experts into the base model here.</source>
        <translation>未打开项目。请打开或创建项目，训练并验证一轮，然后在此将训练后的专家合并到基础模型中。</translation>
    </message>
</context>
<context>
    <name>teft::ui::MinerController</name>
    <message>
        <source>Open or create a project (and select its experts) to train.</source>
        <translation>请打开或创建一个项目（并选择其专家）以进行训练。</translation>
    </message>
    <message>
        <source>Cannot train</source>
        <translation>无法训练</translation>
    </message>
    <message>
        <source>No expert selection</source>
        <translation>没有专家选择</translation>
    </message>
    <message>
        <source>This project has no saved expert selection for its model. Run identification on the Experts page, choose the experts and press “Save to project”.</source>
        <translation>此项目尚未为其模型保存专家选择。请在“专家”页面运行识别，选择专家，然后点击“保存到项目”。</translation>
    </message>
    <message>
        <source>finished</source>
        <translation>已完成</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>已失败</translation>
    </message>
    <message>
        <source>interrupted</source>
        <translation>已中断</translation>
    </message>
    <message>
        <source>running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <source>paused</source>
        <translation>已暂停</translation>
    </message>
    <message>
        <source>queued</source>
        <translation>排队中</translation>
    </message>
    <message>
        <source>Run name taken</source>
        <translation>运行名称已被占用</translation>
    </message>
    <message>
        <source>There is already a run named “%1”. Choose another name for a new run, or select that run and press Continue run.</source>
        <translation>已存在名为“%1”的运行。请为新运行选择其他名称，或选中该运行并点击“继续运行”。</translation>
    </message>
    <message>
        <source>Cannot start the run</source>
        <translation>无法启动运行</translation>
    </message>
    <message>
        <source>The project cannot be opened: %1</source>
        <translation>无法打开项目：%1</translation>
    </message>
    <message>
        <source>Open or create a project, select its experts on the Experts page, then press Start new run.</source>
        <translation>请打开或创建项目，在“专家”页面选择其专家，然后点击“开始新运行”。</translation>
    </message>
    <message>
        <source>Project “%1” has no saved expert selection yet: run identification on the Experts page, choose the experts and press “Save to project”, then start a run here.</source>
        <translation>项目“%1”尚无已保存的专家选择：请在“专家”页面运行识别，选择专家并点击“保存到项目”，然后在此启动运行。</translation>
    </message>
    <message>
        <source>Project “%1”: no runs yet. Check the settings and press Start new run to train its saved expert selection.</source>
        <translation>项目“%1”：尚无运行。请检查设置并点击“开始新运行”，以训练其已保存的专家选择。</translation>
    </message>
    <message numerus="yes">
        <source>Project “%1”: %n run(s). Select one to see its curves and settings, tick runs to compare them, or press Start new run.</source>
        <translation>
            <numerusform>项目“%1”：%n 个运行。选中一个可查看其曲线和设置，勾选多个运行可进行比较，或点击“开始新运行”。</numerusform>
        </translation>
    </message>
    <message>
        <source>Settings copied from a recorded job: press Start new run to train with them.</source>
        <translation>已从记录的任务中复制设置：点击“开始新运行”即可使用这些设置进行训练。</translation>
    </message>
</context>
<context>
    <name>teft::ui::MinerDashboard</name>
    <message>
        <source>Inner steps H before the submission (DiLoCo uses 500)</source>
        <translation>提交前的内部步数 H（DiLoCo 使用 500）</translation>
    </message>
    <message>
        <source>Inner AdamW learning rate, e.g. 1e-5 (Connito, ESFT) to 4e-4</source>
        <translation>内部 AdamW 学习率，例如 1e-5（Connito、ESFT）至 4e-4</translation>
    </message>
    <message>
        <source>bf16 mixed precision</source>
        <translation>bf16 混合精度</translation>
    </message>
    <message>
        <source>fp32</source>
        <translation>fp32</translation>
    </message>
    <message>
        <source>never</source>
        <translation>从不</translation>
    </message>
    <message>
        <source> steps</source>
        <translation> 步</translation>
    </message>
    <message>
        <source>Masked (only selected experts, less memory)</source>
        <translation>掩码（仅所选专家，占用内存更少）</translation>
    </message>
    <message>
        <source>Full (base routing, all experts computed)</source>
        <translation>完整（基础路由，计算所有专家）</translation>
    </message>
    <message>
        <source>Training</source>
        <translation>训练</translation>
    </message>
    <message>
        <source>Device:</source>
        <translation>设备：</translation>
    </message>
    <message>
        <source>Inner steps (H):</source>
        <translation>内部步数（H）：</translation>
    </message>
    <message>
        <source>Learning rate:</source>
        <translation>学习率：</translation>
    </message>
    <message>
        <source>Batch size:</source>
        <translation>批大小：</translation>
    </message>
    <message>
        <source>Sequence length:</source>
        <translation>序列长度：</translation>
    </message>
    <message>
        <source>Precision:</source>
        <translation>精度：</translation>
    </message>
    <message>
        <source>Checkpoint every:</source>
        <translation>检查点间隔：</translation>
    </message>
    <message>
        <source>Routing:</source>
        <translation>路由：</translation>
    </message>
    <message>
        <source>&amp;Pause</source>
        <translation>暂停(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;Resume</source>
        <translation>继续(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Cancel</source>
        <translation>取消(&amp;C)</translation>
    </message>
    <message>
        <source>%v / %m steps</source>
        <translation>%v / %m 步</translation>
    </message>
    <message>
        <source>Training loss</source>
        <translation>训练损失</translation>
    </message>
    <message>
        <source>Loss</source>
        <translation>损失</translation>
    </message>
    <message>
        <source>Smoothed</source>
        <translation>平滑后</translation>
    </message>
    <message>
        <source>Validation loss</source>
        <translation>验证损失</translation>
    </message>
    <message>
        <source>Held-out loss</source>
        <translation>留出集损失</translation>
    </message>
    <message>
        <source>Learning rate</source>
        <translation>学习率</translation>
    </message>
    <message>
        <source>Throughput</source>
        <translation>吞吐量</translation>
    </message>
    <message>
        <source>Tokens/s</source>
        <translation>词元/秒</translation>
    </message>
    <message>
        <source>Tokens per second</source>
        <translation>每秒词元数</translation>
    </message>
    <message>
        <source>Exponential moving average of the training loss</source>
        <translation>训练损失的指数移动平均</translation>
    </message>
    <message>
        <source>Smoothing:</source>
        <translation>平滑：</translation>
    </message>
    <message>
        <source>The learning rate “%1” is not a positive number.</source>
        <translation>学习率“%1”不是正数。</translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation>正在启动…</translation>
    </message>
    <message>
        <source>Step %1 of %2: loss %3, %4 tokens/s</source>
        <translation>第 %1 步，共 %2 步：损失 %3，%4 词元/秒</translation>
    </message>
    <message>
        <source>Submission: %1 (%2)</source>
        <translation>提交：%1（%2）</translation>
    </message>
    <message>
        <source>Check the settings and the log for details, then start again; the last checkpoint is kept.</source>
        <translation>请查看设置和日志了解详情，然后重新开始；最近的检查点会被保留。</translation>
    </message>
    <message>
        <source>Failed: %1</source>
        <translation>失败：%1</translation>
    </message>
    <message>
        <source>Training failed</source>
        <translation>训练失败</translation>
    </message>
    <message>
        <source>Paused.</source>
        <translation>已暂停。</translation>
    </message>
    <message>
        <source>Cancelled at step %1.</source>
        <translation>已在第 %1 步取消。</translation>
    </message>
    <message>
        <source>Measure the loss on the held-out rows every this many steps (and after the last)</source>
        <translation>每隔这么多步（以及最后一步之后）在留出行上测量损失</translation>
    </message>
    <message>
        <source>Validate every:</source>
        <translation>验证间隔：</translation>
    </message>
    <message>
        <source>Open or create a project (and select its experts) to train.</source>
        <translation>请打开或创建一个项目（并选择其专家）以进行训练。</translation>
    </message>
    <message>
        <source>Where the job runs, with the memory free there now</source>
        <translation>任务的运行位置，以及该处当前的可用内存</translation>
    </message>
    <message>
        <source>Recompute activations in the backward pass</source>
        <translation>在反向传播中重新计算激活值</translation>
    </message>
    <message>
        <source>Keep only each layer&apos;s input and recompute the layer when its gradients are needed: much less memory for long sequences, about one more forward pass of time, the same results. A run stopped for memory resumes with it.</source>
        <translation>只保留每层的输入，在需要梯度时重新计算该层：长序列占用的内存大幅减少，耗时约多一次前向传播，结果相同。因内存不足而停止的运行将以此方式继续。</translation>
    </message>
    <message>
        <source>Offload frozen experts to host memory (GPU)</source>
        <translation>将冻结的专家卸载到主机内存（GPU）</translation>
    </message>
    <message>
        <source>Full routing on a model larger than the GPU: the frozen experts stay in host memory and are copied to the GPU layer by layer while the previous layer computes. The same results; no effect on the CPU.</source>
        <translation>在大于 GPU 显存的模型上进行完整路由：冻结的专家保留在主机内存中，并在上一层计算时逐层复制到 GPU。结果相同；对 CPU 无影响。</translation>
    </message>
    <message>
        <source>A new run&apos;s name: it names the run&apos;s folder (its checkpoint and submission), so each run has its own and never overwrites another&apos;s</source>
        <translation>新运行的名称：用于命名该运行的文件夹（其检查点和提交），因此每个运行都有自己的文件夹，不会覆盖其他运行的文件夹</translation>
    </message>
    <message>
        <source>Which part of the training rows this miner trains on: the rows are split into “count” disjoint parts (row r goes to part r mod count) and this run takes part “index” (0-based). Miners of one round take different parts.</source>
        <translation>此矿工在训练行的哪一部分上训练：训练行被划分为“数量”个互不相交的部分（第 r 行属于第 r mod 数量 部分），本次运行使用第“索引”部分（从 0 开始）。同一轮的矿工使用不同的部分。</translation>
    </message>
    <message>
        <source>of</source>
        <translation>/</translation>
    </message>
    <message>
        <source>none (no project)</source>
        <translation>无（无项目）</translation>
    </message>
    <message>
        <source>A miner trains for the project&apos;s current round, from the experts its last validation kept (round 0: the base model&apos;s)</source>
        <translation>矿工针对项目的当前轮次进行训练，起点是上次验证保留的专家（第 0 轮：基础模型的专家）</translation>
    </message>
    <message>
        <source>Run name:</source>
        <translation>运行名称：</translation>
    </message>
    <message>
        <source>Round:</source>
        <translation>轮次：</translation>
    </message>
    <message>
        <source>Data shard:</source>
        <translation>数据分片：</translation>
    </message>
    <message>
        <source>Memory:</source>
        <translation>内存：</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Round</source>
        <translation>轮次</translation>
    </message>
    <message>
        <source>Shard</source>
        <translation>分片</translation>
    </message>
    <message>
        <source>Steps</source>
        <translation>步数</translation>
    </message>
    <message>
        <source>Select a run to see its curves and settings; tick runs to compare them</source>
        <translation>选中一个运行可查看其曲线和设置；勾选多个运行可进行比较</translation>
    </message>
    <message>
        <source>C&amp;ontinue run</source>
        <translation>继续运行(&amp;O)</translation>
    </message>
    <message>
        <source>Continue the selected run from its last checkpoint, with its own settings, folder and submission</source>
        <translation>从最近的检查点继续所选运行，沿用其自身的设置、文件夹和提交</translation>
    </message>
    <message>
        <source>Runs</source>
        <translation>运行</translation>
    </message>
    <message>
        <source>&amp;Start new run</source>
        <translation>开始新运行(&amp;S)</translation>
    </message>
    <message>
        <source>Start a new run with the settings above: its own folder and submission</source>
        <translation>使用上述设置启动新运行：拥有独立的文件夹和提交</translation>
    </message>
    <message>
        <source>Open or create a project, select its experts on the Experts page, then press Start.</source>
        <translation>请打开或创建项目，在“专家”页面选择其专家，然后点击“开始”。</translation>
    </message>
    <message>
        <source>Training loss (smoothed)</source>
        <translation>训练损失（平滑后）</translation>
    </message>
    <message>
        <source>Tick runs in the Runs list to overlay their curves (the training loss with the smoothing above).</source>
        <translation>在“运行”列表中勾选运行，即可叠加显示其曲线（采用上方平滑设置的训练损失）。</translation>
    </message>
    <message>
        <source>This run</source>
        <translation>当前运行</translation>
    </message>
    <message>
        <source>Compare runs</source>
        <translation>比较运行</translation>
    </message>
    <message>
        <source>Memory plan: %1</source>
        <translation>内存计划：%1</translation>
    </message>
    <message>
        <source>Memory on %1: %2</source>
        <translation>%1 上的内存：%2</translation>
    </message>
    <message>
        <source>of %1 available: fits.</source>
        <translation>可用 %1：放得下。</translation>
    </message>
    <message>
        <source>of %1 available: does not fit.</source>
        <translation>可用 %1：放不下。</translation>
    </message>
    <message>
        <source>weights %1, trainable state %2</source>
        <translation>权重 %1，可训练状态 %2</translation>
    </message>
    <message>
        <source>activations %1, logits %2</source>
        <translation>激活值 %1，logits %2</translation>
    </message>
    <message>
        <source>To fit: %1</source>
        <translation>若要放下：%1</translation>
    </message>
    <message>
        <source>The run has no name: type one under Training (it names the run&apos;s folder).</source>
        <translation>运行没有名称：请在“训练”下输入一个名称（用于命名该运行的文件夹）。</translation>
    </message>
    <message>
        <source>Not started: %1</source>
        <translation>未启动：%1</translation>
    </message>
    <message>
        <source>Not enough memory</source>
        <translation>内存不足</translation>
    </message>
    <message>
        <source>Change one of the settings above (the plan under the form follows them), or choose another device.</source>
        <translation>请更改上面的某项设置（表单下方的计划会随之更新），或选择其他设备。</translation>
    </message>
    <message>
        <source>Elapsed %1 (pauses left out)</source>
        <translation>已用时 %1（不含暂停）</translation>
    </message>
    <message>
        <source>Elapsed %1 (pauses left out), about %2 left</source>
        <translation>已用时 %1（不含暂停），约剩 %2</translation>
    </message>
    <message>
        <source>Finished after %1 steps: held-out loss %2 before, %3 after (%4).</source>
        <translation>%1 步后完成：留出集损失由 %2 变为 %3（%4）。</translation>
    </message>
    <message>
        <source>Finished after %1 steps. The held-out loss was not measured (set “Validate every” to measure it; the dataset needs held-out rows).</source>
        <translation>%1 步后完成。未测量留出集损失（请设置“验证间隔”以进行测量；数据集需要包含留出行）。</translation>
    </message>
    <message>
        <source>Resuming from the last checkpoint…</source>
        <translation>正在从最近的检查点继续…</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 / %2</translation>
    </message>
    <message>
        <source>%1 / %2</source>
        <translation>%1 / %2</translation>
    </message>
    <message>
        <source>No submission yet</source>
        <translation>尚无提交</translation>
    </message>
    <message>
        <source>Submission: %1</source>
        <translation>提交：%1</translation>
    </message>
    <message>
        <source>Run “%1”: %2, round %3, shard %4 of %5, %6 of %7 steps.</source>
        <translation>运行“%1”：%2，第 %3 轮，分片 %4 / %5，%6 / %7 步。</translation>
    </message>
    <message>
        <source>Continue run resumes it from its checkpoint.</source>
        <translation>“继续运行”会从其检查点继续。</translation>
    </message>
    <message>
        <source>Continue the run that ran out of memory from its last checkpoint</source>
        <translation>从最近的检查点继续因内存不足而停止的运行</translation>
    </message>
    <message>
        <source>bf16 (half of f32, error feedback)</source>
        <translation>bf16（f32 的一半，误差反馈）</translation>
    </message>
    <message>
        <source>int8 with per-row scales (a quarter, error feedback)</source>
        <translation>int8，逐行缩放（四分之一，误差反馈）</translation>
    </message>
    <message>
        <source>f32 (exact, largest)</source>
        <translation>f32（精确，最大）</translation>
    </message>
    <message>
        <source>How the update travels to the validator. bf16 and int8 keep the rounding error and add it to the next round&apos;s update, so nothing is lost over rounds.</source>
        <translation>更新传送给验证者时使用的编码。bf16 和 int8 会保留舍入误差并将其加到下一轮的更新中，因此多轮之间不会丢失任何信息。</translation>
    </message>
    <message>
        <source>Use the project&apos;s round</source>
        <translation>使用项目的轮次</translation>
    </message>
    <message>
        <source>Forget the network round pulled on the Network page: the next run trains for the project&apos;s own round, from the experts its last validation kept</source>
        <translation>丢弃在“网络”页面拉取的网络轮次：下一次运行将针对项目自身的轮次，从其上次验证保留的专家开始训练</translation>
    </message>
    <message>
        <source>Update encoding:</source>
        <translation>更新编码：</translation>
    </message>
    <message>
        <source>Publish to &amp;round…</source>
        <translation>发布到轮次(&amp;R)…</translation>
    </message>
    <message>
        <source>Network round %1: the base model&apos;s experts</source>
        <translation>网络第 %1 轮：基础模型的专家</translation>
    </message>
    <message>
        <source>Pulled on the Network page: this round trains from the base model&apos;s experts</source>
        <translation>已在“网络”页面拉取：本轮从基础模型的专家开始训练</translation>
    </message>
    <message>
        <source>Network round %1: Φ %2</source>
        <translation>网络第 %1 轮：Φ %2</translation>
    </message>
    <message>
        <source>Pulled on the Network page: the next run trains from %1 for round %2</source>
        <translation>已在“网络”页面拉取：下一次运行将从 %1 开始训练第 %2 轮</translation>
    </message>
    <message>
        <source>Commit this run&apos;s submission to the network&apos;s current round (Network page)</source>
        <translation>将本次运行的提交承诺到网络的当前轮次（“网络”页面）</translation>
    </message>
    <message>
        <source>Select a finished run that wrote a submission</source>
        <translation>请选择一个已完成并写入了提交的运行</translation>
    </message>
</context>
<context>
    <name>teft::ui::ModelPage</name>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Choose a Mixture-of-Experts checkpoint folder (config.json, safetensors, tokenizer.json).</source>
        <translation>选择一个混合专家（MoE）模型的检查点文件夹（config.json、safetensors、tokenizer.json）。</translation>
    </message>
    <message>
        <source>My TEFT project</source>
        <translation>我的 TEFT 项目</translation>
    </message>
    <message>
        <source>Folder with config.json and *.safetensors</source>
        <translation>包含 config.json 和 *.safetensors 的文件夹</translation>
    </message>
    <message>
        <source>&amp;Browse…</source>
        <translation>浏览(&amp;B)…</translation>
    </message>
    <message>
        <source>Use the &amp;demo model</source>
        <translation>使用演示模型(&amp;D)</translation>
    </message>
    <message>
        <source>Family:</source>
        <translation>模型系列：</translation>
    </message>
    <message>
        <source>Layers:</source>
        <translation>层数：</translation>
    </message>
    <message>
        <source>Experts per layer:</source>
        <translation>每层专家数：</translation>
    </message>
    <message>
        <source>Experts per token:</source>
        <translation>每词元专家数：</translation>
    </message>
    <message>
        <source>Parameters:</source>
        <translation>参数量：</translation>
    </message>
    <message>
        <source>Data type:</source>
        <translation>数据类型：</translation>
    </message>
    <message>
        <source>Size on disk:</source>
        <translation>磁盘占用：</translation>
    </message>
    <message>
        <source>One expert:</source>
        <translation>单个专家：</translation>
    </message>
    <message>
        <source>Project name:</source>
        <translation>项目名称：</translation>
    </message>
    <message>
        <source>Model folder:</source>
        <translation>模型文件夹：</translation>
    </message>
    <message>
        <source>Choose the model folder</source>
        <translation>选择模型文件夹</translation>
    </message>
    <message>
        <source>%1 has a config.json but no *.safetensors weights.</source>
        <translation>%1 包含 config.json，但没有 *.safetensors 权重文件。</translation>
    </message>
    <message>
        <source>%1 (%2 with experts)</source>
        <translation>%1（其中 %2 层含专家）</translation>
    </message>
    <message>
        <source>%1 total, %2 active per token</source>
        <translation>共 %1，每词元激活 %2</translation>
    </message>
    <message numerus="yes">
        <source>%1 in %n file(s)</source>
        <translation>
            <numerusform>%1，共 %n 个文件</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 parameters, %2</source>
        <translation>%1 个参数，%2</translation>
    </message>
    <message>
        <source>The built-in demo foundation model: a small Qwen3-MoE pretrained on the demo corpus (built once in the data directory, a few minutes on two cores; no download)</source>
        <translation>内置演示基础模型：在演示语料上预训练的小型 Qwen3-MoE（在数据目录中构建一次，双核上需几分钟；无需下载）</translation>
    </message>
    <message>
        <source>Cannot build the demo model: %1</source>
        <translation>无法构建演示模型：%1</translation>
    </message>
</context>
<context>
    <name>teft::ui::NetworkController</name>
    <message>
        <source>committed</source>
        <translation>已承诺</translation>
    </message>
    <message>
        <source>uploaded</source>
        <translation>已上传</translation>
    </message>
    <message>
        <source>verified</source>
        <translation>已校验</translation>
    </message>
    <message>
        <source>scored</source>
        <translation>已评分</translation>
    </message>
    <message>
        <source>accepted</source>
        <translation>已接受</translation>
    </message>
    <message>
        <source>refused</source>
        <translation>已拒绝</translation>
    </message>
    <message>
        <source>invalid</source>
        <translation>无效</translation>
    </message>
    <message>
        <source>Rounds last %1.</source>
        <translation>每轮持续 %1。</translation>
    </message>
    <message>
        <source>Encodings: %1; Δ norm at most %2× the base&apos;s.</source>
        <translation>编码：%1；Δ 范数至多为基础的 %2×。</translation>
    </message>
    <message>
        <source>Scoring: %1 batches of %2 rows, confidence %3; aggregation %4.</source>
        <translation>评分：%1 个批次，每批 %2 行，置信度 %3；聚合 %4。</translation>
    </message>
    <message>
        <source>Open to every miner.</source>
        <translation>对所有矿工开放。</translation>
    </message>
    <message numerus="yes">
        <source>Only %n listed miner(s) may commit.</source>
        <translation>
            <numerusform>仅列出的 %n 个矿工可以承诺。</numerusform>
        </translation>
    </message>
    <message>
        <source>Held-out data: the validator&apos;s own (private).</source>
        <translation>留出数据：验证者自有（私有）。</translation>
    </message>
    <message>
        <source>Held-out data: published with the network.</source>
        <translation>留出数据：随网络发布。</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <source>%1 failed: %2</source>
        <translation>%1 失败：%2</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <source>none needed (a shared folder: the file system&apos;s permissions apply)</source>
        <translation>无需凭据（共享文件夹：适用文件系统权限）</translation>
    </message>
    <message>
        <source>%1, access key %2… (region %3, endpoint %4)</source>
        <translation>%1，访问密钥 %2…（区域 %3，端点 %4）</translation>
    </message>
    <message>
        <source>enter the store&apos;s URL (s3://bucket/prefix or file:///path).</source>
        <translation>请输入存储的 URL（s3://bucket/prefix 或 file:///path）。</translation>
    </message>
    <message>
        <source>looking…</source>
        <translation>正在查找…</translation>
    </message>
    <message>
        <source>none found</source>
        <translation>未找到</translation>
    </message>
    <message>
        <source>Connect to a network first</source>
        <translation>请先连接到网络</translation>
    </message>
    <message>
        <source>Only the network&apos;s validator (key %1…) can do this; this machine has no key in %2</source>
        <translation>只有网络的验证者（密钥 %1…）可以执行此操作；本机在 %2 中没有密钥</translation>
    </message>
    <message>
        <source>Only the network&apos;s validator (key %1…) can do this; this machine&apos;s key is %2…</source>
        <translation>只有网络的验证者（密钥 %1…）可以执行此操作；本机的密钥是 %2…</translation>
    </message>
    <message>
        <source>This machine&apos;s key cannot be read: %1</source>
        <translation>无法读取本机的密钥：%1</translation>
    </message>
    <message>
        <source>Pulling Φ(t)</source>
        <translation>正在拉取 Φ(t)</translation>
    </message>
    <message>
        <source>Round %1 trains from the base model&apos;s experts: nothing to download.</source>
        <translation>第 %1 轮从基础模型的专家开始训练：无需下载。</translation>
    </message>
    <message>
        <source>Φ(t) of round %1 saved to %2.</source>
        <translation>第 %1 轮的 Φ(t) 已保存到 %2。</translation>
    </message>
    <message>
        <source>Publishing the submission</source>
        <translation>正在发布提交</translation>
    </message>
    <message>
        <source>Committed in slot %1 of round %2 and uploaded %3 to %4.</source>
        <translation>已在第 %2 轮的槽位 %1 中承诺，并将 %3 上传到 %4。</translation>
    </message>
    <message>
        <source>Opening a round</source>
        <translation>正在开启轮次</translation>
    </message>
    <message>
        <source>Round %1 opened; commitments until %2.</source>
        <translation>第 %1 轮已开启；承诺截止于 %2。</translation>
    </message>
    <message>
        <source>Close the round early?</source>
        <translation>提前关闭本轮？</translation>
    </message>
    <message>
        <source>The deadline of round %1 has not passed (%2). Closing now seals the commitments made so far; later ones are refused as late.</source>
        <translation>第 %1 轮的截止时间尚未到达（%2）。现在关闭将封存目前已有的承诺；之后的承诺将因逾期而被拒绝。</translation>
    </message>
    <message>
        <source>Close now</source>
        <translation>立即关闭</translation>
    </message>
    <message>
        <source>Closing round %1</source>
        <translation>正在关闭第 %1 轮</translation>
    </message>
    <message>
        <source>Round %1 closed: %2 of %3 submissions accepted; result %4 published.</source>
        <translation>第 %1 轮已关闭：%3 个提交中接受了 %2 个；结果 %4 已发布。</translation>
    </message>
    <message>
        <source>Verifying round %1</source>
        <translation>正在校验第 %1 轮</translation>
    </message>
    <message>
        <source>Round %1 verified (%2 checks%3).</source>
        <translation>第 %1 轮已校验（%2 项检查%3）。</translation>
    </message>
    <message>
        <source>, scores recomputed</source>
        <translation>，已重新计算得分</translation>
    </message>
    <message>
        <source>Round %1 failed verification: %2</source>
        <translation>第 %1 轮未通过校验：%2</translation>
    </message>
    <message>
        <source>Open or create a project first: Φ(t), the validator&apos;s state and the model are the project&apos;s</source>
        <translation>请先打开或创建项目：Φ(t)、验证者状态和模型都属于项目</translation>
    </message>
    <message>
        <source>The project cannot be used: %1</source>
        <translation>无法使用该项目：%1</translation>
    </message>
    <message>
        <source>The store&apos;s address was not saved in the project: %1</source>
        <translation>存储地址未能保存到项目中：%1</translation>
    </message>
</context>
<context>
    <name>teft::ui::NetworkPage</name>
    <message>
        <source>s3://bucket/prefix or file:///shared/folder</source>
        <translation>s3://bucket/prefix 或 file:///shared/folder</translation>
    </message>
    <message>
        <source>default: environment, profile or AWS</source>
        <translation>默认：环境变量、配置文件或 AWS</translation>
    </message>
    <message>
        <source>default: environment, profile or us-east-1</source>
        <translation>默认：环境变量、配置文件或 us-east-1</translation>
    </message>
    <message>
        <source>default: AWS_PROFILE or “default”</source>
        <translation>默认：AWS_PROFILE 或“default”</translation>
    </message>
    <message>
        <source>C&amp;onnect</source>
        <translation>连接(&amp;O)</translation>
    </message>
    <message>
        <source>Open the store and read the network&apos;s definition and rounds</source>
        <translation>打开存储并读取网络的定义和轮次</translation>
    </message>
    <message>
        <source>Not connected.</source>
        <translation>未连接。</translation>
    </message>
    <message>
        <source>Store</source>
        <translation>存储</translation>
    </message>
    <message>
        <source>Store URL:</source>
        <translation>存储 URL：</translation>
    </message>
    <message>
        <source>Endpoint:</source>
        <translation>端点：</translation>
    </message>
    <message>
        <source>Region:</source>
        <translation>区域：</translation>
    </message>
    <message>
        <source>Profile:</source>
        <translation>配置文件：</translation>
    </message>
    <message>
        <source>Credentials:</source>
        <translation>凭据：</translation>
    </message>
    <message>
        <source>Connect to a store to see its network.</source>
        <translation>连接到存储以查看其网络。</translation>
    </message>
    <message>
        <source>Network</source>
        <translation>网络</translation>
    </message>
    <message>
        <source>&amp;Pull Φ(t)</source>
        <translation>拉取 Φ(t)(&amp;P)</translation>
    </message>
    <message>
        <source>P&amp;ublish submission…</source>
        <translation>发布提交(&amp;U)…</translation>
    </message>
    <message>
        <source>Open &amp;round</source>
        <translation>开启轮次(&amp;R)</translation>
    </message>
    <message>
        <source>C&amp;lose round &amp;&amp; publish</source>
        <translation>关闭轮次并发布(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;Verify round</source>
        <translation>校验轮次(&amp;V)</translation>
    </message>
    <message>
        <source>Actions</source>
        <translation>操作</translation>
    </message>
    <message>
        <source>Miner:</source>
        <translation>矿工：</translation>
    </message>
    <message>
        <source>Validator:</source>
        <translation>验证者：</translation>
    </message>
    <message>
        <source>Anyone:</source>
        <translation>任何人：</translation>
    </message>
    <message>
        <source>Round</source>
        <translation>轮次</translation>
    </message>
    <message>
        <source>Φ(t)</source>
        <translation>Φ(t)</translation>
    </message>
    <message>
        <source>Φ(t+1)</source>
        <translation>Φ(t+1)</translation>
    </message>
    <message>
        <source>Baseline → new loss</source>
        <translation>基线 → 新损失</translation>
    </message>
    <message>
        <source>Accepted</source>
        <translation>已接受</translation>
    </message>
    <message>
        <source>Round history</source>
        <translation>轮次历史</translation>
    </message>
    <message>
        <source>No round</source>
        <translation>无轮次</translation>
    </message>
    <message>
        <source>Re&amp;fresh</source>
        <translation>刷新(&amp;F)</translation>
    </message>
    <message>
        <source>Read the round again (also every 15 seconds while this page is shown)</source>
        <translation>重新读取轮次（显示此页面时也会每 15 秒读取一次）</translation>
    </message>
    <message>
        <source>Slot</source>
        <translation>槽位</translation>
    </message>
    <message>
        <source>Miner</source>
        <translation>矿工</translation>
    </message>
    <message>
        <source>Key</source>
        <translation>密钥</translation>
    </message>
    <message>
        <source>Bytes</source>
        <translation>字节</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>Current round</source>
        <translation>当前轮次</translation>
    </message>
    <message>
        <source>&amp;Cancel</source>
        <translation>取消(&amp;C)</translation>
    </message>
    <message>
        <source>Results of pull, publish, close and verify appear here.</source>
        <translation>拉取、发布、关闭和校验的结果将显示在此处。</translation>
    </message>
    <message>
        <source>Connect to a network first</source>
        <translation>请先连接到网络</translation>
    </message>
    <message>
        <source>Connecting to %1…</source>
        <translation>正在连接到 %1…</translation>
    </message>
    <message>
        <source>Connected to %1.</source>
        <translation>已连接到 %1。</translation>
    </message>
    <message>
        <source>Could not connect: %1</source>
        <translation>无法连接：%1</translation>
    </message>
    <message>
        <source>Validator key: &lt;code&gt;%1&lt;/code&gt;</source>
        <translation>验证者密钥：&lt;code&gt;%1&lt;/code&gt;</translation>
    </message>
    <message>
        <source>Selection: %1 in %2</source>
        <translation>选择：%2 中的 %1</translation>
    </message>
    <message numerus="yes">
        <source>%n expert(s)</source>
        <translation>
            <numerusform>%n 个专家</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n layer(s)</source>
        <translation>
            <numerusform>%n 层</numerusform>
        </translation>
    </message>
    <message>
        <source>Validator key: %1</source>
        <translation>验证者密钥：%1</translation>
    </message>
    <message>
        <source>No round opened yet</source>
        <translation>尚未开启任何轮次</translation>
    </message>
    <message>
        <source>Round %1</source>
        <translation>第 %1 轮</translation>
    </message>
    <message>
        <source>deadline %1</source>
        <translation>截止 %1</translation>
    </message>
    <message>
        <source> · closed, result published</source>
        <translation> · 已关闭，结果已发布</translation>
    </message>
    <message>
        <source> · sealed, being scored</source>
        <translation> · 已封存，正在评分</translation>
    </message>
    <message>
        <source>Φ(t): the base model&apos;s experts</source>
        <translation>Φ(t)：基础模型的专家</translation>
    </message>
    <message>
        <source>Φ(t): %1</source>
        <translation>Φ(t)：%1</translation>
    </message>
    <message>
        <source>—</source>
        <translation>—</translation>
    </message>
    <message>
        <source>%1 bytes</source>
        <translation>%1 字节</translation>
    </message>
    <message>
        <source>base</source>
        <translation>基础</translation>
    </message>
    <message>
        <source>%1 → %2</source>
        <translation>%1 → %2</translation>
    </message>
    <message>
        <source>open</source>
        <translation>开放</translation>
    </message>
    <message>
        <source>— of %1</source>
        <translation>— / %1</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 / %2</translation>
    </message>
    <message>
        <source>Refresh failed: %1</source>
        <translation>刷新失败：%1</translation>
    </message>
    <message>
        <source>Another step is running</source>
        <translation>另一个步骤正在运行</translation>
    </message>
    <message>
        <source>No round is open in this network yet</source>
        <translation>此网络中尚无开放的轮次</translation>
    </message>
    <message>
        <source>Round %1 is closed; wait for the next round</source>
        <translation>第 %1 轮已关闭；请等待下一轮</translation>
    </message>
    <message>
        <source>Download the current round&apos;s Φ(t) into the project, to train on</source>
        <translation>将当前轮次的 Φ(t) 下载到项目中，用于训练</translation>
    </message>
    <message>
        <source>Commit to a submission in the next free slot of this round and upload it</source>
        <translation>在本轮的下一个空闲槽位中承诺一个提交并上传</translation>
    </message>
    <message>
        <source>Round %1 is still open: close it first</source>
        <translation>第 %1 轮仍在开放：请先关闭</translation>
    </message>
    <message>
        <source>Open the next round on the current Φ, signed with this machine&apos;s key</source>
        <translation>基于当前 Φ 开启下一轮，并用本机的密钥签名</translation>
    </message>
    <message>
        <source>Seal the commitments, score the revealed submissions with the project&apos;s model and held-out data, publish Φ(t+1) and the signed result</source>
        <translation>封存承诺，用项目的模型和留出数据为已揭示的提交评分，发布 Φ(t+1) 和已签名的结果</translation>
    </message>
    <message>
        <source>Round %1 has no result yet</source>
        <translation>第 %1 轮尚无结果</translation>
    </message>
    <message>
        <source>Check the round&apos;s signatures, hashes, seed, slots and states (and recompute the scores with the project&apos;s model)</source>
        <translation>检查本轮的签名、哈希、种子、槽位和状态（并用项目的模型重新计算得分）</translation>
    </message>
    <message>
        <source>enter the store&apos;s URL (s3://bucket/prefix or file:///path).</source>
        <translation>请输入存储的 URL（s3://bucket/prefix 或 file:///path）。</translation>
    </message>
    <message>
        <source>Submission folder to publish</source>
        <translation>要发布的提交文件夹</translation>
    </message>
    <message>
        <source>Choose a submission folder first.</source>
        <translation>请先选择提交文件夹。</translation>
    </message>
    <message>
        <source>%1…</source>
        <translation>%1…</translation>
    </message>
    <message>
        <source>%1: %2 of %3</source>
        <translation>%1：%2 / %3</translation>
    </message>
    <message>
        <source>Done.</source>
        <translation>完成。</translation>
    </message>
    <message>
        <source>Cancelled.</source>
        <translation>已取消。</translation>
    </message>
    <message>
        <source>Cancelled; a later try resumes the transfer.</source>
        <translation>已取消；稍后重试将继续传输。</translation>
    </message>
    <message>
        <source>Failed.</source>
        <translation>失败。</translation>
    </message>
    <message>
        <source>Failed: %1</source>
        <translation>失败：%1</translation>
    </message>
    <message>
        <source>Network step failed</source>
        <translation>网络步骤失败</translation>
    </message>
    <message>
        <source>Check the store&apos;s address, the credentials and that the round is in the state this step needs.</source>
        <translation>请检查存储地址和凭据，并确认本轮处于此步骤所需的状态。</translation>
    </message>
    <message numerus="yes">
        <source>Round %1 verified: %n check(s) passed.</source>
        <translation>
            <numerusform>第 %1 轮已校验：%n 项检查通过。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Round %1 did NOT verify: %n failure(s).</source>
        <translation>
            <numerusform>第 %1 轮未通过校验：%n 项失败。</numerusform>
        </translation>
    </message>
    <message>
        <source>✗ %1</source>
        <translation>✗ %1</translation>
    </message>
    <message>
        <source>✓ %1</source>
        <translation>✓ %1</translation>
    </message>
    <message>
        <source>deadline passed</source>
        <translation>已过截止时间</translation>
    </message>
    <message>
        <source>%1 d %2:%3:%4 left</source>
        <translation>剩余 %1 天 %2:%3:%4</translation>
    </message>
    <message>
        <source>%1:%2:%3 left</source>
        <translation>剩余 %1:%2:%3</translation>
    </message>
    <message>
        <source>%1:%2 left</source>
        <translation>剩余 %1:%2</translation>
    </message>
    <message>
        <source>closed</source>
        <translation>已关闭</translation>
    </message>
</context>
<context>
    <name>teft::ui::OpenProjectDialog</name>
    <message>
        <source>Open Project</source>
        <translation>打开项目</translation>
    </message>
    <message>
        <source>The job store has no projects yet. Create one with File → New Project…, or open the built-in demo on the start page.</source>
        <translation>任务存储中尚无项目。请通过“文件 → 新建项目…”创建一个，或在起始页打开内置演示。</translation>
    </message>
    <message>
        <source>Projects of this machine, most recently used first:</source>
        <translation>本机的项目，最近使用的排在前面：</translation>
    </message>
    <message>
        <source>%1 — %2 (last used %3)</source>
        <translation>%1 — %2（上次使用：%3）</translation>
    </message>
    <message>
        <source>The job store cannot be read: %1</source>
        <translation>无法读取任务存储：%1</translation>
    </message>
</context>
<context>
    <name>teft::ui::PolicyPanel</name>
    <message>
        <source>Top-k per layer</source>
        <translation>每层 Top-k</translation>
    </message>
    <message>
        <source>Top-p per layer (ESFT)</source>
        <translation>每层 Top-p（ESFT）</translation>
    </message>
    <message>
        <source>Global budget</source>
        <translation>全局预算</translation>
    </message>
    <message>
        <source>How experts are picked from the metric shown in the heatmap</source>
        <translation>如何根据热力图中显示的指标挑选专家</translation>
    </message>
    <message>
        <source>Experts kept in every MoE layer</source>
        <translation>每个 MoE 层保留的专家数</translation>
    </message>
    <message>
        <source>Per layer, experts are added best first until their cumulative share reaches p</source>
        <translation>在每一层中按得分从高到低依次加入专家，直到其累计占比达到 p</translation>
    </message>
    <message>
        <source>no limit</source>
        <translation>无限制</translation>
    </message>
    <message>
        <source> MiB</source>
        <translation> MiB</translation>
    </message>
    <message>
        <source>Experts per layer:</source>
        <translation>每层专家数：</translation>
    </message>
    <message>
        <source>Cumulative share p:</source>
        <translation>累计占比 p：</translation>
    </message>
    <message>
        <source>Maximum experts:</source>
        <translation>最大专家数：</translation>
    </message>
    <message>
        <source>Maximum size:</source>
        <translation>最大大小：</translation>
    </message>
    <message>
        <source>Only experts with a positive score</source>
        <translation>仅限得分为正的专家</translation>
    </message>
    <message>
        <source>Apply while editing</source>
        <translation>编辑时即时应用</translation>
    </message>
    <message>
        <source>&amp;Apply policy</source>
        <translation>应用策略(&amp;A)</translation>
    </message>
    <message>
        <source>Policy:</source>
        <translation>策略：</translation>
    </message>
    <message>
        <source>Top-%1 per layer</source>
        <translation>每层 Top-%1</translation>
    </message>
    <message>
        <source>Top-p %1 per layer</source>
        <translation>每层 Top-p %1</translation>
    </message>
    <message>
        <source>Largest submission: the selected experts&apos; updates as miners send them (fp32)</source>
        <translation>最大提交：矿工发送的所选专家的更新（fp32）</translation>
    </message>
    <message numerus="yes">
        <source>Showing the project&apos;s saved selection: %n expert(s) per layer.</source>
        <translation>
            <numerusform>显示项目已保存的选择：每层 %n 个专家。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Showing the project&apos;s saved selection: %n expert(s), not the same number in every layer (chosen by hand or by a budget). Changing a setting here applies that policy instead.</source>
        <translation>
            <numerusform>显示项目已保存的选择：共 %n 个专家，各层数量不同（手动选择或按预算选择）。在此更改设置将改为应用该策略。</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>teft::ui::ProjectWizard</name>
    <message>
        <source>New TEFT project</source>
        <translation>新建 TEFT 项目</translation>
    </message>
    <message>
        <source>Cannot save the project</source>
        <translation>无法保存项目</translation>
    </message>
    <message>
        <source>%1

Check the data directory in the settings.</source>
        <translation>%1

请在设置中检查数据目录。</translation>
    </message>
</context>
<context>
    <name>teft::ui::RoutingController</name>
    <message>
        <source>Identification failed</source>
        <translation>识别失败</translation>
    </message>
    <message>
        <source>Nothing to save</source>
        <translation>没有可保存的内容</translation>
    </message>
    <message>
        <source>The selection is empty. Select experts on the heatmap or with a policy first.</source>
        <translation>选择为空。请先在热力图上或通过策略选择专家。</translation>
    </message>
    <message>
        <source>Cannot save the selection</source>
        <translation>无法保存选择</translation>
    </message>
    <message>
        <source>Identification failed: %1</source>
        <translation>识别失败：%1</translation>
    </message>
    <message>
        <source>The project cannot be opened: %1</source>
        <translation>无法打开项目：%1</translation>
    </message>
    <message>
        <source>Project “%1” has no routing statistics yet: press “Run identification”.</source>
        <translation>项目“%1”尚无路由统计：请点击“运行识别”。</translation>
    </message>
    <message>
        <source>No project open. Open or create a project (File menu or start page), then run identification on this page.</source>
        <translation>未打开项目。请打开或创建项目（通过“文件”菜单或起始页），然后在此页面运行识别。</translation>
    </message>
    <message>
        <source>No project is open.</source>
        <translation>未打开任何项目。</translation>
    </message>
    <message>
        <source>%1 MoE layers × %2 experts</source>
        <translation>%1 个 MoE 层 × %2 个专家</translation>
    </message>
    <message>
        <source>The model of project “%1” cannot be read (%2), so the selection cannot be checked against it.</source>
        <translation>无法读取项目“%1”的模型（%2），因此无法根据它检查专家选择。</translation>
    </message>
    <message>
        <source>The selection on the page was made for a model of %1, but project “%2” uses a model of %3. Run identification for this project (or open statistics of its model), then choose the experts again.</source>
        <translation>页面上的专家选择是为 %1 的模型创建的，但项目“%2”使用的是 %3 的模型。请为此项目运行识别（或打开其模型的统计），然后重新选择专家。</translation>
    </message>
    <message>
        <source>The selection does not fit project “%1”&apos;s model: %2</source>
        <translation>专家选择与项目“%1”的模型不匹配：%2</translation>
    </message>
    <message>
        <source>The selection on the page was made for another model (fingerprint %1…) than project “%2”&apos;s (fingerprint %3…). Run identification for this project, then choose the experts again.</source>
        <translation>页面上的专家选择是为另一个模型（指纹 %1…）创建的，而非项目“%2”的模型（指纹 %3…）。请为此项目运行识别，然后重新选择专家。</translation>
    </message>
    <message>
        <source>Cannot save the project&apos;s settings</source>
        <translation>无法保存项目设置</translation>
    </message>
    <message>
        <source>This reference has no statistics yet: run identification to compare with it.</source>
        <translation>此参考尚无统计：请运行识别以便与其进行对比。</translation>
    </message>
    <message>
        <source>Cannot show the reference statistics</source>
        <translation>无法显示参考统计</translation>
    </message>
    <message>
        <source>%1

Run identification again.</source>
        <translation>%1

请重新运行识别。</translation>
    </message>
    <message>
        <source>Identification is running</source>
        <translation>识别正在运行</translation>
    </message>
    <message>
        <source>Open or create a project first</source>
        <translation>请先打开或创建项目</translation>
    </message>
    <message>
        <source>Identification of project “%1” finished; its routing statistics are saved in the project folder.</source>
        <translation>项目“%1”的识别已完成；其路由统计已保存在项目文件夹中。</translation>
    </message>
    <message>
        <source>Not saved: the selection is of another model.</source>
        <translation>未保存：该专家选择属于另一个模型。</translation>
    </message>
    <message numerus="yes">
        <source>Saved the selection of %n expert(s) to project “%1”.</source>
        <translation>
            <numerusform>已将 %n 个专家的选择保存到项目“%1”。</numerusform>
        </translation>
    </message>
    <message>
        <source>The selection was not saved: %1</source>
        <translation>专家选择未保存：%1</translation>
    </message>
</context>
<context>
    <name>teft::ui::RoutingHeatmap</name>
    <message>
        <source>No routing statistics yet: run expert identification or open a statistics file.</source>
        <translation>尚无路由统计：请运行专家识别，或打开统计文件。</translation>
    </message>
    <message>
        <source>L\E</source>
        <translation>L\E</translation>
    </message>
</context>
<context>
    <name>teft::ui::RoutingHeatmapModel</name>
    <message>
        <source>The reference statistics have %1 MoE layers × %2 experts, the target has %3 × %4: both must come from the same model.</source>
        <translation>参考统计为 %1 个 MoE 层 × %2 个专家，目标为 %3 × %4：两者必须来自同一模型。</translation>
    </message>
    <message>
        <source>The metric “%1” needs reference statistics: load a reference dataset first.</source>
        <translation>指标“%1”需要参考统计：请先加载参考数据集。</translation>
    </message>
    <message>
        <source>Token share</source>
        <translation>词元占比</translation>
    </message>
    <message>
        <source>Gate score</source>
        <translation>门控得分</translation>
    </message>
    <message>
        <source>Contrast (difference)</source>
        <translation>对比（差值）</translation>
    </message>
    <message>
        <source>Contrast (log ratio)</source>
        <translation>对比（对数比）</translation>
    </message>
    <message>
        <source>Layer %1, expert %2</source>
        <translation>第 %1 层，专家 %2</translation>
    </message>
    <message>
        <source>Tokens routed: %1 of %2</source>
        <translation>路由到的词元：%1 / %2</translation>
    </message>
    <message>
        <source>Gate mass: %1</source>
        <translation>门控权重总和：%1</translation>
    </message>
    <message>
        <source>Token share: %1</source>
        <translation>词元占比：%1</translation>
    </message>
    <message>
        <source>Gate score: %1</source>
        <translation>门控得分：%1</translation>
    </message>
    <message>
        <source>Reference token share: %1</source>
        <translation>参考词元占比：%1</translation>
    </message>
    <message>
        <source>Contrast (difference): %1</source>
        <translation>对比（差值）：%1</translation>
    </message>
    <message>
        <source>Contrast (log ratio): %1</source>
        <translation>对比（对数比）：%1</translation>
    </message>
    <message>
        <source>Selected for training</source>
        <translation>已选用于训练</translation>
    </message>
    <message>
        <source>Not selected</source>
        <translation>未选择</translation>
    </message>
    <message>
        <source>Expert %1</source>
        <translation>专家 %1</translation>
    </message>
    <message>
        <source>Model layer %1</source>
        <translation>模型第 %1 层</translation>
    </message>
</context>
<context>
    <name>teft::ui::RoutingPage</name>
    <message>
        <source>What the colours show. The contrast metrics compare the target data with a reference dataset: experts hot on the target only stand out.</source>
        <translation>颜色所表示的指标。对比指标将目标数据与参考数据集进行比较：仅在目标数据上活跃的专家会被突出显示。</translation>
    </message>
    <message>
        <source>Open statistics…</source>
        <translation>打开统计…</translation>
    </message>
    <message>
        <source>Open routing statistics written by expert identification</source>
        <translation>打开由专家识别生成的路由统计</translation>
    </message>
    <message>
        <source>Open reference…</source>
        <translation>打开参考…</translation>
    </message>
    <message>
        <source>Routing statistics of general text, for the contrast metrics</source>
        <translation>通用文本的路由统计，用于对比指标</translation>
    </message>
    <message>
        <source>Metric:</source>
        <translation>指标：</translation>
    </message>
    <message>
        <source>Zoom out</source>
        <translation>缩小</translation>
    </message>
    <message>
        <source>Zoom in</source>
        <translation>放大</translation>
    </message>
    <message>
        <source>Fit</source>
        <translation>适应窗口</translation>
    </message>
    <message>
        <source>Fit all cells in the view</source>
        <translation>使所有单元格适应视图</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
    <message>
        <source>Undo: %1</source>
        <translation>撤销：%1</translation>
    </message>
    <message>
        <source>Redo</source>
        <translation>重做</translation>
    </message>
    <message>
        <source>Redo: %1</source>
        <translation>重做：%1</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>清除</translation>
    </message>
    <message>
        <source>Deselect every expert</source>
        <translation>取消选择所有专家</translation>
    </message>
    <message>
        <source>Read a selection file (TEFT, Connito expert assignment or ESFT expert config)</source>
        <translation>读取专家选择文件（TEFT、Connito 专家分配或 ESFT 专家配置）</translation>
    </message>
    <message>
        <source>Write the selection as a TEFT, Connito or ESFT file</source>
        <translation>将专家选择写入 TEFT、Connito 或 ESFT 文件</translation>
    </message>
    <message>
        <source>Automatic selection</source>
        <translation>自动选择</translation>
    </message>
    <message>
        <source>Selection</source>
        <translation>选择结果</translation>
    </message>
    <message>
        <source>Experts selected:</source>
        <translation>已选专家：</translation>
    </message>
    <message>
        <source>Trainable parameters:</source>
        <translation>可训练参数：</translation>
    </message>
    <message>
        <source>Bytes per submission:</source>
        <translation>每次提交字节数：</translation>
    </message>
    <message>
        <source>Share of the model:</source>
        <translation>占模型比例：</translation>
    </message>
    <message>
        <source>Metric not available</source>
        <translation>指标不可用</translation>
    </message>
    <message>
        <source>Layer %1, expert %2: %3 = %4</source>
        <translation>第 %1 层，专家 %2：%3 = %4</translation>
    </message>
    <message>
        <source>Routing of %1 MoE layers × %2 experts (top-%3) over “%4”, %5 tokens</source>
        <translation>“%4”上 %1 个 MoE 层 × %2 个专家（Top-%3）的路由，共 %5 个词元</translation>
    </message>
    <message>
        <source>%1 (%2 of %3 layers)</source>
        <translation>%1（分布于 %3 层中的 %2 层）</translation>
    </message>
    <message>
        <source>unknown (no model)</source>
        <translation>未知（无模型）</translation>
    </message>
    <message>
        <source>Open routing statistics</source>
        <translation>打开路由统计</translation>
    </message>
    <message>
        <source>Routing statistics (*.json);;All files (*)</source>
        <translation>路由统计 (*.json);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Cannot open routing statistics</source>
        <translation>无法打开路由统计</translation>
    </message>
    <message>
        <source>%1

Choose a file written by expert identification (teft identify).</source>
        <translation>%1

请选择由专家识别（teft identify）生成的文件。</translation>
    </message>
    <message>
        <source>Open reference statistics</source>
        <translation>打开参考统计</translation>
    </message>
    <message>
        <source>Cannot use these reference statistics</source>
        <translation>无法使用这些参考统计</translation>
    </message>
    <message>
        <source>%1

The reference must be identified with the same model on general text.</source>
        <translation>%1

参考统计必须由同一模型在通用文本上识别得到。</translation>
    </message>
    <message>
        <source>Import expert selection</source>
        <translation>导入专家选择</translation>
    </message>
    <message>
        <source>Selection files (*.json);;All files (*)</source>
        <translation>专家选择文件 (*.json);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Cannot import the selection</source>
        <translation>无法导入专家选择</translation>
    </message>
    <message>
        <source>TEFT selection (*.json)</source>
        <translation>TEFT 专家选择 (*.json)</translation>
    </message>
    <message>
        <source>Connito expert assignment (*.json)</source>
        <translation>Connito 专家分配 (*.json)</translation>
    </message>
    <message>
        <source>ESFT expert config (*.json)</source>
        <translation>ESFT 专家配置 (*.json)</translation>
    </message>
    <message>
        <source>Export expert selection</source>
        <translation>导出专家选择</translation>
    </message>
    <message>
        <source>selection.json</source>
        <translation>selection.json</translation>
    </message>
    <message>
        <source>Cannot export the selection</source>
        <translation>无法导出专家选择</translation>
    </message>
    <message>
        <source>%1

Choose a folder you can write to.</source>
        <translation>%1

请选择一个可写入的文件夹。</translation>
    </message>
    <message>
        <source>Run identification</source>
        <translation>运行识别</translation>
    </message>
    <message>
        <source>Run the project&apos;s model over its target data (and reference data) and record which experts the tokens are routed to</source>
        <translation>在项目的目标数据（及参考数据）上运行模型，并记录词元被路由到哪些专家</translation>
    </message>
    <message>
        <source>Save to project</source>
        <translation>保存到项目</translation>
    </message>
    <message>
        <source>Save this selection as the project&apos;s target expert set (training uses it)</source>
        <translation>将此选择保存为项目的目标专家集合（训练将使用它）</translation>
    </message>
    <message>
        <source>Tokens of the target (and of each reference) identification runs through the model. More tokens give steadier statistics and take longer.</source>
        <translation>识别时输入模型的目标（及每个参考）的词元数。词元越多，统计越稳定，但耗时更长。</translation>
    </message>
    <message>
        <source>Files</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>Import selection…</source>
        <translation>导入选择…</translation>
    </message>
    <message>
        <source>Export selection…</source>
        <translation>导出选择…</translation>
    </message>
    <message>
        <source>Open statistics, import or export a selection</source>
        <translation>打开统计，导入或导出专家选择</translation>
    </message>
    <message>
        <source>The reference data the contrast metrics compare the target with (saved with the project)</source>
        <translation>对比指标用来与目标比较的参考数据（随项目保存）</translation>
    </message>
    <message>
        <source>Contrast with:</source>
        <translation>对比对象：</translation>
    </message>
    <message>
        <source>No routing statistics yet. Open or create a project, then run identification.</source>
        <translation>尚无路由统计。请打开或创建项目，然后运行识别。</translation>
    </message>
    <message>
        <source>Open the saved selection</source>
        <translation>打开已保存的选择</translation>
    </message>
    <message>
        <source>uses %1 of %2 tokens</source>
        <translation>使用 %2 个词元中的 %1 个</translation>
    </message>
    <message>
        <source>Of the tokens in the target&apos;s training rows (its held-out part is not read)</source>
        <translation>占目标训练行中的词元（不读取其留出部分）</translation>
    </message>
    <message>
        <source>uses %1 tokens (the target&apos;s total is counted by the next identification)</source>
        <translation>使用 %1 个词元（目标的总词元数将在下次识别时统计）</translation>
    </message>
    <message>
        <source>no reference data</source>
        <translation>无参考数据</translation>
    </message>
    <message numerus="yes">
        <source>all %n references</source>
        <translation>
            <numerusform>全部 %n 个参考</numerusform>
        </translation>
    </message>
    <message>
        <source>Open or create a project to save a selection to it</source>
        <translation>请打开或创建项目，以便将专家选择保存到其中</translation>
    </message>
    <message>
        <source>Run identification first: there is no selection to save yet</source>
        <translation>请先运行识别：尚无可保存的专家选择</translation>
    </message>
    <message>
        <source>Opened the routing statistics %1.</source>
        <translation>已打开路由统计 %1。</translation>
    </message>
    <message>
        <source>Opened the reference statistics %1.</source>
        <translation>已打开参考统计 %1。</translation>
    </message>
    <message>
        <source>Imported the selection %1.</source>
        <translation>已导入专家选择 %1。</translation>
    </message>
    <message>
        <source>Exported the selection to %1.</source>
        <translation>已将专家选择导出到 %1。</translation>
    </message>
    <message>
        <source>The bytes a miner&apos;s submission carries each round: the update of the selected experts in the default bf16 encoding (f32 doubles it, int8 about halves it; `teft encodings` shows each)</source>
        <translation>矿工每轮提交所携带的字节数：所选专家在默认 bf16 编码下的更新（f32 为其两倍，int8 约为其一半；`teft encodings` 会显示每种编码）</translation>
    </message>
</context>
<context>
    <name>teft::ui::SelectionDocument</name>
    <message>
        <source>Clear selection</source>
        <translation>清除选择</translation>
    </message>
    <message>
        <source>Cannot import %1: %2</source>
        <translation>无法导入 %1：%2</translation>
    </message>
    <message>
        <source>The selection in %1 does not fit this model:
%2</source>
        <translation>%1 中的专家选择与此模型不匹配：
%2</translation>
    </message>
    <message>
        <source>Import %1</source>
        <translation>导入 %1</translation>
    </message>
</context>
<context>
    <name>teft::ui::SelectionSummaryModel</name>
    <message>
        <source>Layer</source>
        <translation>层</translation>
    </message>
    <message>
        <source>Experts</source>
        <translation>专家</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>参数量</translation>
    </message>
    <message>
        <source>Bytes</source>
        <translation>字节</translation>
    </message>
</context>
<context>
    <name>teft::ui::SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>Compute device:</source>
        <translation>计算设备：</translation>
    </message>
    <message>
        <source>All cores (%1)</source>
        <translation>所有核心（%1）</translation>
    </message>
    <message>
        <source>CPU threads:</source>
        <translation>CPU 线程数：</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>Data directory:</source>
        <translation>数据目录：</translation>
    </message>
    <message>
        <source>Choose the data directory</source>
        <translation>选择数据目录</translation>
    </message>
    <message>
        <source>System language</source>
        <translation>系统语言</translation>
    </message>
    <message>
        <source>Language:</source>
        <translation>语言：</translation>
    </message>
    <message>
        <source>A new data directory or language takes effect after a restart.</source>
        <translation>新的数据目录或语言将在重启后生效。</translation>
    </message>
    <message>
        <source>%1 is a file, not a directory.</source>
        <translation>%1 是文件，不是目录。</translation>
    </message>
    <message>
        <source>System</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>浅色</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>深色</translation>
    </message>
    <message>
        <source>Appearance:</source>
        <translation>外观：</translation>
    </message>
</context>
<context>
    <name>teft::ui::StartPage</name>
    <message>
        <source>&lt;h1&gt;TEFT Studio&lt;/h1&gt;</source>
        <translation>&lt;h1&gt;TEFT Studio&lt;/h1&gt;</translation>
    </message>
    <message>
        <source>Adapt a Mixture-of-Experts model to a new domain by training only the experts its tokens are routed to. 1. Load a model and a dataset. 2. See the routing and choose the experts. 3. Train them as a miner, or score miners&apos; submissions as a validator. 4. Merge the result into a full checkpoint.</source>
        <translation>只训练新领域的词元所路由到的专家，使混合专家模型适应该领域。1. 加载模型和数据集。2. 查看路由并选择专家。3. 作为矿工训练这些专家，或作为验证者为矿工的提交评分。4. 将结果合并为完整的检查点。</translation>
    </message>
    <message>
        <source>New Project…</source>
        <translation>新建项目…</translation>
    </message>
    <message>
        <source>Open the Built-in Demo</source>
        <translation>打开内置演示</translation>
    </message>
    <message>
        <source>&lt;h3&gt;Recent projects&lt;/h3&gt;</source>
        <translation>&lt;h3&gt;最近的项目&lt;/h3&gt;</translation>
    </message>
    <message>
        <source>No projects yet. Create one, or open the built-in demo.</source>
        <translation>尚无项目。请新建项目，或打开内置演示。</translation>
    </message>
    <message>
        <source>%1 — %2 (last used %3)</source>
        <translation>%1 — %2（上次使用：%3）</translation>
    </message>
</context>
<context>
    <name>teft::ui::StudioApplication</name>
    <message>
        <source>an unknown error</source>
        <translation>未知错误</translation>
    </message>
    <message>
        <source>TEFT Studio</source>
        <translation>TEFT Studio</translation>
    </message>
    <message>
        <source>An operation failed unexpectedly:

%1

The application keeps running; your projects and the job store are as they were before the operation. The details are in the log.</source>
        <translation>某个操作意外失败：

%1

应用程序将继续运行；您的项目和任务存储保持操作前的状态。详情请查看日志。</translation>
    </message>
</context>
<context>
    <name>teft::ui::SubmissionTableModel</name>
    <message>
        <source>verified</source>
        <translation>已校验</translation>
    </message>
    <message>
        <source>refused: %1</source>
        <translation>未通过：%1</translation>
    </message>
    <message>
        <source>yes (override)</source>
        <translation>是（手动覆盖）</translation>
    </message>
    <message>
        <source>no (override)</source>
        <translation>否（手动覆盖）</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>no</source>
        <translation>否</translation>
    </message>
    <message>
        <source>Miner</source>
        <translation>矿工</translation>
    </message>
    <message>
        <source>Verification</source>
        <translation>校验</translation>
    </message>
    <message>
        <source>Base loss</source>
        <translation>基础损失</translation>
    </message>
    <message>
        <source>New loss</source>
        <translation>新损失</translation>
    </message>
    <message>
        <source>Rank</source>
        <translation>排名</translation>
    </message>
    <message>
        <source>Weight</source>
        <translation>权重</translation>
    </message>
    <message>
        <source>Accepted</source>
        <translation>已接受</translation>
    </message>
    <message>
        <source>n/a</source>
        <translation>不适用</translation>
    </message>
    <message>
        <source>%1 ± %2</source>
        <translation>%1 ± %2</translation>
    </message>
    <message>
        <source>%1 (tied with %2)</source>
        <translation>%1（与 %2 并列）</translation>
    </message>
    <message>
        <source>s_i: token-weighted mean of base loss − new loss over the held-out batches, ± its standard error</source>
        <translation>s_i：留出批次上“基础损失 − 新损失”的词元加权平均值，± 其标准误差</translation>
    </message>
    <message>
        <source>Significant: the one-sided %1 % lower bound is %2 &gt; 0.</source>
        <translation>显著：单侧 %1% 下界为 %2 &gt; 0。</translation>
    </message>
    <message>
        <source>Not significant: the one-sided %1 % lower bound is %2 ≤ 0; it scores 0.</source>
        <translation>不显著：单侧 %1% 下界为 %2 ≤ 0；得分为 0。</translation>
    </message>
    <message>
        <source>Not significant: fewer than 2 held-out batches, no error estimate; it scores 0.</source>
        <translation>不显著：留出批次少于 2 个，无法估计误差；得分为 0。</translation>
    </message>
    <message>
        <source>Held-out target tokens the score rests on</source>
        <translation>得分所依据的目标留出集词元数</translation>
    </message>
    <message>
        <source>Tied within noise: the difference to these is not significant</source>
        <translation>在噪声范围内并列：与这些提交的差异不显著</translation>
    </message>
    <message>
        <source>s_i ± error</source>
        <translation>s_i ± 误差</translation>
    </message>
    <message>
        <source>Tokens</source>
        <translation>词元数</translation>
    </message>
</context>
<context>
    <name>teft::ui::TaskProgressBar</name>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>正在取消…</translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation>正在启动…</translation>
    </message>
    <message>
        <source>Done.</source>
        <translation>完成。</translation>
    </message>
    <message>
        <source>Cancelled.</source>
        <translation>已取消。</translation>
    </message>
    <message>
        <source>Failed.</source>
        <translation>失败。</translation>
    </message>
</context>
<context>
    <name>teft::ui::ToggleExpertCommand</name>
    <message>
        <source>Deselect expert %1 of layer %2</source>
        <translation>取消选择第 %2 层的专家 %1</translation>
    </message>
    <message>
        <source>Select expert %1 of layer %2</source>
        <translation>选择第 %2 层的专家 %1</translation>
    </message>
</context>
<context>
    <name>teft::ui::ValidatorController</name>
    <message>
        <source>Cannot score the submissions</source>
        <translation>无法为提交评分</translation>
    </message>
    <message>
        <source>Open a project first.</source>
        <translation>请先打开一个项目。</translation>
    </message>
    <message>
        <source>This project has no expert selection: save an expert selection on the Experts page first.</source>
        <translation>此项目没有专家选择：请先在“专家”页面保存专家选择。</translation>
    </message>
    <message>
        <source>%1 is not a folder.</source>
        <translation>%1 不是文件夹。</translation>
    </message>
    <message>
        <source>Scoring failed</source>
        <translation>评分失败</translation>
    </message>
    <message>
        <source>Outer step failed</source>
        <translation>外层步骤失败</translation>
    </message>
    <message>
        <source>%1 is not a verified submission of this round.</source>
        <translation>%1 不是本轮已验证的提交。</translation>
    </message>
    <message numerus="yes">
        <source>Round %1 scored: %n submission(s).</source>
        <translation>
            <numerusform>第 %1 轮已评分：%n 个提交。</numerusform>
        </translation>
    </message>
    <message>
        <source>Run the outer step?</source>
        <translation>执行外层步骤？</translation>
    </message>
    <message numerus="yes">
        <source>The outer step applies the weighted average of %n accepted submission(s) to the project&apos;s Φ and starts round %1. It cannot be undone, and this round&apos;s table is cleared.</source>
        <translation>
            <numerusform>外层步骤会将 %n 个已接受提交的加权平均应用到项目的 Φ，并开始第 %1 轮。此操作无法撤销，且本轮的表格将被清空。</numerusform>
        </translation>
    </message>
    <message>
        <source>Run outer step</source>
        <translation>执行外层步骤</translation>
    </message>
    <message>
        <source>Outer step of round %1 applied to the project&apos;s Φ.</source>
        <translation>第 %1 轮的外层步骤已应用到项目的 Φ。</translation>
    </message>
    <message>
        <source>finished</source>
        <translation>已完成</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>已失败</translation>
    </message>
    <message>
        <source>interrupted</source>
        <translation>已中断</translation>
    </message>
    <message>
        <source>running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <source>paused</source>
        <translation>已暂停</translation>
    </message>
    <message>
        <source>queued</source>
        <translation>排队中</translation>
    </message>
    <message>
        <source>No submission is ticked.</source>
        <translation>未勾选任何提交。</translation>
    </message>
    <message>
        <source>The submissions cannot be listed: %1</source>
        <translation>无法列出提交：%1</translation>
    </message>
    <message>
        <source>Cannot add the submission</source>
        <translation>无法添加该提交</translation>
    </message>
    <message>
        <source>Cannot add the submissions</source>
        <translation>无法添加这些提交</translation>
    </message>
    <message>
        <source>%1 holds no submission folder (a submission is a folder holding manifest.json and experts.safetensors).</source>
        <translation>%1 中没有提交文件夹（提交是包含 manifest.json 和 experts.safetensors 的文件夹）。</translation>
    </message>
    <message>
        <source>Cannot remove the submission</source>
        <translation>无法移除该提交</translation>
    </message>
</context>
<context>
    <name>teft::ui::ValidatorPage</name>
    <message>
        <source>Top-k, equal weights</source>
        <translation>Top-k，等权重</translation>
    </message>
    <message>
        <source>Proportional to s_i</source>
        <translation>与 s_i 成正比</translation>
    </message>
    <message>
        <source>How many of the best-scoring submissions are averaged</source>
        <translation>对得分最高的多少个提交取平均</translation>
    </message>
    <message>
        <source>&amp;Accept selected</source>
        <translation>接受所选(&amp;A)</translation>
    </message>
    <message>
        <source>&amp;Reject selected</source>
        <translation>拒绝所选(&amp;R)</translation>
    </message>
    <message>
        <source>Clear overrides</source>
        <translation>清除手动覆盖</translation>
    </message>
    <message>
        <source>Run &amp;outer step</source>
        <translation>执行外层步骤(&amp;O)</translation>
    </message>
    <message>
        <source>Apply the weighted average of the accepted updates to Φ (SGD with Nesterov momentum)</source>
        <translation>将已接受更新的加权平均应用到 Φ（带 Nesterov 动量的 SGD）</translation>
    </message>
    <message>
        <source>Aggregation:</source>
        <translation>聚合方式：</translation>
    </message>
    <message>
        <source>k:</source>
        <translation>k：</translation>
    </message>
    <message>
        <source>Score s_i per miner</source>
        <translation>每个矿工的得分 s_i</translation>
    </message>
    <message>
        <source>Validation loss per round</source>
        <translation>每轮验证损失</translation>
    </message>
    <message>
        <source>Round</source>
        <translation>轮次</translation>
    </message>
    <message>
        <source>Loss</source>
        <translation>损失</translation>
    </message>
    <message numerus="yes">
        <source>Round %1: %n submission(s)</source>
        <translation>
            <numerusform>第 %1 轮：%n 个提交</numerusform>
        </translation>
    </message>
    <message>
        <source>Accepted</source>
        <translation>已接受</translation>
    </message>
    <message>
        <source>Not accepted</source>
        <translation>未接受</translation>
    </message>
    <message>
        <source>s_i</source>
        <translation>s_i</translation>
    </message>
    <message>
        <source>%1 accepted for aggregation, %2 refused by verification.</source>
        <translation>%1 个已接受用于聚合，%2 个未通过校验。</translation>
    </message>
    <message>
        <source>Open submissions &amp;folder…</source>
        <translation>打开提交文件夹(&amp;F)…</translation>
    </message>
    <message>
        <source>Verify and score every submission in a folder against the project&apos;s current Φ</source>
        <translation>针对项目当前的 Φ 验证文件夹中的每个提交并评分</translation>
    </message>
    <message>
        <source>Folder of submissions</source>
        <translation>提交文件夹</translation>
    </message>
    <message>
        <source>Outer learning rate of the Nesterov step (DiLoCo: 0.7)</source>
        <translation>Nesterov 外层步骤的学习率（DiLoCo：0.7）</translation>
    </message>
    <message>
        <source>Outer momentum, kept across rounds (DiLoCo: 0.9)</source>
        <translation>外层动量，跨轮次保留（DiLoCo：0.9）</translation>
    </message>
    <message>
        <source>Held-out batches:</source>
        <translation>留出批次：</translation>
    </message>
    <message>
        <source>× rows:</source>
        <translation>× 行：</translation>
    </message>
    <message>
        <source>Outer learning rate:</source>
        <translation>外层学习率：</translation>
    </message>
    <message>
        <source>Momentum:</source>
        <translation>动量：</translation>
    </message>
    <message>
        <source>Held-out batches every submission is scored on (the same seeded batches for all); a score&apos;s standard error comes from their spread, so at least 2, and more narrow it</source>
        <translation>每个提交用于评分的留出批次（所有提交使用相同随机种子的批次）；得分的标准误差来自其离散程度，因此至少需要 2 个，批次越多误差越小</translation>
    </message>
    <message>
        <source>No project open. Open or create a project, then open a folder of submissions to score them.</source>
        <translation>未打开项目。请打开或创建项目，然后打开提交文件夹为其评分。</translation>
    </message>
    <message>
        <source>Open or create a project first: the outer step updates the project&apos;s Φ</source>
        <translation>请先打开或创建项目：外层步骤会更新项目的 Φ</translation>
    </message>
    <message>
        <source>Score a folder of submissions first: the outer step needs accepted submissions</source>
        <translation>请先为一个提交文件夹评分：外层步骤需要已接受的提交</translation>
    </message>
    <message>
        <source>Submissions</source>
        <translation>提交</translation>
    </message>
    <message>
        <source>Train a run on the Train page or add a submission.</source>
        <translation>请在“训练”页面训练一个运行，或添加提交。</translation>
    </message>
    <message>
        <source>Submission</source>
        <translation>提交</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Path</source>
        <translation>路径</translation>
    </message>
    <message>
        <source>Add &amp;submission…</source>
        <translation>添加提交(&amp;S)…</translation>
    </message>
    <message>
        <source>List a submission folder from anywhere with this project (nothing is copied)</source>
        <translation>将任意位置的提交文件夹列入此项目（不会复制任何内容）</translation>
    </message>
    <message>
        <source>Add folder of su&amp;bmissions…</source>
        <translation>从文件夹添加提交(&amp;B)…</translation>
    </message>
    <message>
        <source>List every submission inside a folder with this project (nothing is copied)</source>
        <translation>将某个文件夹中的所有提交列入此项目（不会复制任何内容）</translation>
    </message>
    <message>
        <source>Re&amp;move</source>
        <translation>移除(&amp;M)</translation>
    </message>
    <message>
        <source>Remove the selected imported submissions from the list (no file is deleted)</source>
        <translation>从列表中移除所选的导入提交（不会删除任何文件）</translation>
    </message>
    <message>
        <source>S&amp;core selected</source>
        <translation>为所选评分(&amp;C)</translation>
    </message>
    <message>
        <source>Verify and score the ticked submissions against the project&apos;s current Φ</source>
        <translation>针对项目当前的 Φ 验证勾选的提交并为其评分</translation>
    </message>
    <message>
        <source>Submission folder</source>
        <translation>提交文件夹</translation>
    </message>
    <message>
        <source>Round %1: no submissions scored yet. Tick submissions above and press Score selected.</source>
        <translation>第 %1 轮：尚无已评分的提交。请在上方勾选提交，然后点击“为所选评分”。</translation>
    </message>
    <message>
        <source>missing</source>
        <translation>缺失</translation>
    </message>
    <message>
        <source>no submission yet</source>
        <translation>尚无提交</translation>
    </message>
    <message>
        <source>%1, no submission yet</source>
        <translation>%1，尚无提交</translation>
    </message>
    <message>
        <source>This folder no longer exists (moved or deleted?): remove it from the list or put it back</source>
        <translation>此文件夹已不存在（被移动或删除？）：请将其从列表中移除，或将其放回原处</translation>
    </message>
    <message>
        <source>The run has not written its submission (yet)</source>
        <translation>该运行（尚）未写入其提交</translation>
    </message>
    <message>
        <source>imported</source>
        <translation>已导入</translation>
    </message>
    <message>
        <source>own run</source>
        <translation>自有运行</translation>
    </message>
    <message>
        <source>S&amp;core selected (%1)</source>
        <translation>为所选评分（%1）(&amp;C)</translation>
    </message>
    <message>
        <source>Close &amp;network round…</source>
        <translation>关闭网络轮次(&amp;N)…</translation>
    </message>
    <message>
        <source>Score the TEFT network&apos;s open round straight from its store, take the outer step and publish the signed result (on the Network page)</source>
        <translation>直接从存储中为 TEFT 网络当前开放的轮次评分，执行外层步骤并发布签名结果（在“网络”页面）</translation>
    </message>
</context>
</TS>
