import type { PluginTranslations } from '@plinth/sdk';

/**
 * The LMS's console text in other languages, keyed by the English the console shows (schema titles and
 * descriptions, humanized enum values and property names, collection and action names, route summaries,
 * navigation, permissions). Terms: دورة/دورات، وحدة/وحدات، درس/دروس، تسجيل/تسجيلات، متعلّم/متعلّمون،
 * مدرّب/مدرّبون، اختبار/اختبارات، محاولة/محاولات، تسليم/تسليمات، شهادة/شهادات، وليّ الأمر/أولياء الأمور، تقدّم.
 */
export const translations: PluginTranslations = {
  ar: {
    // The plugin
    'Courses (LMS)': 'الدورات (LMS)',
    'Courses with modules and lessons, enrolments, progress, timed quizzes, certificates, reports and reminders.':
      'دورات بوحدات ودروس، وتسجيلات، وتتبّع للتقدّم، واختبارات محدّدة بوقت، وشهادات، وتقارير، وتذكيرات.',
    'Reads the prices and buy pages of courses the shop sells (when the shop is enabled)':
      'يقرأ أسعار الدورات التي يبيعها المتجر وصفحات شرائها (عند تفعيل المتجر)',

    // Navigation, collections and their singular names
    'My courses': 'دوراتي',
    Courses: 'الدورات',
    Course: 'دورة',
    Enrolments: 'التسجيلات',
    Enrollments: 'التسجيلات',
    Enrollment: 'تسجيل',
    Modules: 'الوحدات',
    Module: 'وحدة',
    Lessons: 'الدروس',
    Lesson: 'درس',
    Files: 'الملفات',
    File: 'ملف',
    Attachments: 'المرفقات',
    Attachment: 'مرفق',
    Quizzes: 'الاختبارات',
    Quizze: 'اختبار',
    Quiz: 'الاختبار',
    Attempts: 'المحاولات',
    Attempt: 'محاولة',
    Submissions: 'التسليمات',
    Submission: 'التسليم',
    Certificates: 'الشهادات',
    Certificate: 'شهادة',
    Guardians: 'أولياء الأمور',
    Guardian: 'وليّ الأمر',
    Learners: 'المتعلّمون',
    Learner: 'المتعلّم',
    Instructors: 'المدرّبون',
    Instructor: 'مدرّب',
    Purchases: 'المشتريات',
    Purchase: 'شراء',
    Notifications: 'الإشعارات',
    Questions: 'الأسئلة',
    Question: 'السؤال',
    Choices: 'الخيارات',
    Choice: 'خيار',
    Options: 'الخيارات',
    Option: 'خيار',
    Answers: 'الإجابات',
    Answer: 'إجابة',
    'Accepted answers': 'الإجابات المقبولة',
    'Accepted answer': 'إجابة مقبولة',
    Results: 'النتائج',
    Result: 'نتيجة',
    Report: 'التقرير',
    'Report.csv': 'التقرير (CSV)',
    Progress: 'التقدّم',
    My: 'الخاص بي',
    Order: 'الترتيب',

    // Item actions
    Enroll: 'تسجيل',
    Complete: 'إكمال',
    Submit: 'تسليم',
    Run: 'تشغيل',

    // Permissions
    'Read every course, including drafts, lesson content and quiz answers': 'عرض كل الدورات، بما فيها المسودات ومحتوى الدروس وإجابات الاختبارات',
    'Create, edit, reorder and delete any course, its modules, lessons and quizzes':
      'إنشاء أي دورة وتعديلها وإعادة ترتيبها وحذفها، مع وحداتها ودروسها واختباراتها',
    'List every enrolment and learner progress': 'عرض كل التسجيلات وتقدّم المتعلّمين',
    'Enrol and unenrol learners in any course; send reminders now': 'تسجيل المتعلّمين في أي دورة وإلغاء تسجيلهم، وإرسال التذكيرات فورًا',
    'Course reports and CSV exports': 'تقارير الدورات وتصديرها بصيغة CSV',
    'Link guardians (parents, observers) to learners': 'ربط أولياء الأمور (الآباء والمراقبين) بالمتعلّمين',
    'Learn: browse published courses, enrol in free ones, read enrolled lessons, complete them, take quizzes; manage courses one instructs':
      'التعلّم: تصفّح الدورات المنشورة، والتسجيل في المجانية منها، وقراءة دروس الدورات المسجَّل فيها وإكمالها، وأداء الاختبارات؛ وإدارة الدورات التي يدرّبها المستخدم',

    // Settings
    'Reminder after (days)': 'التذكير بعد (أيام)',
    'Remind learners inactive this many days (0 progress since)': 'تذكير المتعلّمين غير النشطين طوال هذا العدد من الأيام (دون أي تقدّم منذ ذلك الحين)',
    'Quiz grace period (seconds)': 'المهلة الإضافية للاختبار (ثوانٍ)',
    'Seconds after a quiz time limit in which a submission is still accepted (network latency)':
      'الثواني التي تظل الإجابات تُقبل خلالها بعد انتهاء وقت الاختبار (لتأخّر الشبكة)',
    'Largest submission (bytes)': 'أقصى حجم للتسليم (بايت)',
    "Largest file a learner may hand in as a lesson's submission, in bytes (20 MiB)": 'أكبر ملف يمكن للمتعلّم تسليمه في درس، بالبايت (20 MiB)',

    // Courses
    'Courses: every course for staff; published ones and those one instructs for learners':
      'الدورات: كلها للموظفين؛ وللمتعلّمين المنشورة منها وتلك التي يدرّبونها',
    'Create a course': 'إنشاء دورة',
    'A course with its outline (learners: published lessons only, without content)': 'دورة مع مخططها (للمتعلّمين: الدروس المنشورة فقط، دون محتواها)',
    'Change a course (instructors may change all but its instructors)': 'تعديل دورة (يمكن للمدرّبين تعديل كل شيء عدا قائمة المدرّبين)',
    'Delete a course without enrolments, with its lessons and their stored files (archive it otherwise)':
      'حذف دورة لا تسجيلات فيها، مع دروسها وملفاتها المخزّنة (وإلا فأرشِفها)',
    Status: 'الحالة',
    'Learners see published courses only': 'لا يرى المتعلّمون إلا الدورات المنشورة',
    Draft: 'مسودة',
    Published: 'منشورة',
    Archived: 'مؤرشفة',
    Q: 'بحث',
    Category: 'الفئة',
    Level: 'المستوى',
    Beginner: 'مبتدئ',
    Intermediate: 'متوسط',
    Advanced: 'متقدّم',
    All: 'جميع المستويات',
    Id: 'المعرّف',
    Title: 'العنوان',
    Slug: 'المعرّف في الرابط',
    'The web address part: lowercase letters, digits and hyphens': 'جزؤها في عنوان الويب: أحرف لاتينية صغيرة وأرقام وشرطات',
    Description: 'الوصف',
    Product: 'المنتج',
    'Shop product id': 'معرّف منتج المتجر',
    'The shop product selling the course; none: free': 'منتج المتجر الذي تُباع به الدورة؛ بدونه: مجانية',
    'Instructor ids': 'معرّفات المدرّبين',
    'Instructor id': 'معرّف المدرّب',
    'Staff members who teach the course': 'أعضاء الفريق الذين يدرّسون الدورة',
    Free: 'مجانية',
    'Not sold in the shop': 'لا تُباع في المتجر',
    'Published at': 'تاريخ النشر',
    'Created at': 'تاريخ الإنشاء',
    'Updated at': 'تاريخ التحديث',
    'No content': 'بلا محتوى',

    // Modules and lessons
    'Add a module at the end of a course': 'إضافة وحدة في آخر الدورة',
    'Reorder a course’s modules (every module id, in the new order)': 'إعادة ترتيب وحدات الدورة (معرّفات كل الوحدات بالترتيب الجديد)',
    'Rename a module': 'إعادة تسمية وحدة',
    'Delete a module and its lessons (with their stored files)': 'حذف وحدة ودروسها (مع ملفاتها المخزّنة)',
    'Course id': 'معرّف الدورة',
    'Module id': 'معرّف الوحدة',
    'Module title': 'عنوان الوحدة',
    Ids: 'المعرّفات',
    Position: 'الموضع',
    'Add a lesson at the end of a module (content is sanitised; `video_file_id` and attachments may be stored private files)':
      'إضافة درس في آخر الوحدة (يُنقّى المحتوى؛ ويمكن أن يكون `video_file_id` والمرفقات ملفات خاصة مخزّنة)',
    'Reorder a module’s lessons (every lesson id, in the new order)': 'إعادة ترتيب دروس الوحدة (معرّفات كل الدروس بالترتيب الجديد)',
    'A lesson with its content: staff and instructors always; learners when enrolled, unlocked and published (or a free preview)':
      'درس مع محتواه: للموظفين والمدرّبين دائمًا؛ وللمتعلّمين إن كانوا مسجَّلين وكان الدرس مفتوحًا ومنشورًا (أو معاينة مجانية)',
    'Change a lesson (content is sanitised; `module_id` moves it within the course; a replaced stored file is deleted)':
      'تعديل درس (يُنقّى المحتوى؛ ويَنقله `module_id` داخل الدورة؛ ويُحذف الملف المخزّن المستبدَل)',
    'Delete a lesson (with its quiz, progress, stored files and submissions)': 'حذف درس (مع اختباره وتقدّمه وملفاته المخزّنة وتسليماته)',
    "A lesson's stored video or attachment: 302 to a signed URL valid 5 minutes (Range supported there), for those who may read the lesson":
      'فيديو الدرس المخزّن أو مرفقه: 302 إلى URL موقَّع صالح 5 دقائق (يدعم Range)، لمن يحق له قراءة الدرس',
    'To a signed URL of the file, valid 5 minutes': 'إلى URL موقَّع للملف، صالح 5 دقائق',
    Content: 'المحتوى',
    'Content html': 'محتوى HTML',
    'Rich text; sanitised on the server': 'نص منسّق؛ يُنقّى على الخادم',
    'Video link': 'رابط الفيديو',
    'Video url': 'رابط الفيديو',
    Video: 'الفيديو',
    'Video file id': 'معرّف ملف الفيديو',
    'Video file url': 'رابط ملف الفيديو',
    'A stored video (a private file uploaded through /api/v1/files), served to those who may read the lesson':
      'فيديو مخزّن (ملف خاص مرفوع عبر /api/v1/files)، يُعرض لمن يحق له قراءة الدرس',
    'Where the stored video plays from: a redirect to a short-lived signed URL (Range supported)':
      'مصدر تشغيل الفيديو المخزّن: إعادة توجيه إلى URL موقَّع قصير الصلاحية (يدعم Range)',
    'Links (`url`) or stored private files (`file_id`)': 'روابط (`url`) أو ملفات خاصة مخزّنة (`file_id`)',
    Link: 'الرابط',
    Url: 'الرابط',
    'The link, or for a stored file its download route': 'الرابط، أو مسار التنزيل إن كان ملفًا مخزّنًا',
    'File id': 'معرّف الملف',
    'Duration (seconds)': 'المدة (ثوانٍ)',
    'Duration seconds': 'المدة بالثواني',
    'Free preview': 'معاينة مجانية',
    'Readable without enrolling': 'يمكن قراءته دون تسجيل',
    Required: 'إلزامي',
    'Counts towards course completion': 'يُحتسب في إكمال الدورة',
    'Unlock after (days)': 'يُفتح بعد (أيام)',
    'Drip days': 'أيام الفتح التدريجي',
    'Unlocks this many days after enrolment': 'يُفتح بعد هذا العدد من الأيام من التسجيل',
    'Has quiz': 'يتضمّن اختبارًا',
    'Available at': 'يُتاح في',
    'When the lesson unlocks for the caller’s enrolment; null: not enrolled': 'موعد فتح الدرس في تسجيل المستخدم؛ null: غير مسجَّل',

    // Learning
    'The caller’s enrolments with course, progress %, completion and certificate code (claims courses bought with their email first)':
      'تسجيلات المستخدم مع الدورة ونسبة التقدّم والإكمال ورمز الشهادة (تُضاف أولًا الدورات المشتراة ببريده الإلكتروني)',
    'One enrolled course: each published lesson with completion, video position and when it unlocks':
      'دورة مسجَّل فيها: كل درس منشور مع حالة إكماله وموضع الفيديو وموعد فتحه',
    'Mark a lesson complete (its quiz must be passed first when it requires so); idempotent':
      'تعليم درس كمكتمل (يجب اجتياز اختباره أولًا إن اشترط ذلك)؛ تكرار الطلب لا يغيّر النتيجة',
    'Save the learner’s last video position (seconds)': 'حفظ آخر موضع وصل إليه المتعلّم في الفيديو (ثوانٍ)',
    'Position seconds': 'الموضع بالثواني',
    'Completed at': 'تاريخ الإكمال',
    'Lesson id': 'معرّف الدرس',
    'Course progress percent': 'نسبة التقدّم في الدورة',
    'Course completed': 'اكتملت الدورة',
    Locked: 'مقفل',

    // Enrolments
    'Enrol oneself in a published free course (201; 200 when already enrolled)': 'التسجيل الذاتي في دورة مجانية منشورة (201؛ و200 إن كان مسجَّلًا من قبل)',
    'Every enrolment, filtered by course, learner or state': 'كل التسجيلات، مع التصفية حسب الدورة أو المتعلّم أو الحالة',
    'A course’s learners with name, email and progress (staff and the course’s instructors)':
      'متعلّمو الدورة مع الاسم والبريد الإلكتروني والتقدّم (للموظفين ومدرّبي الدورة)',
    'Enrol a member (201; 200 with the renewed enrolment when already enrolled)': 'تسجيل عضو (201؛ و200 مع التسجيل المجدَّد إن كان مسجَّلًا من قبل)',
    'Change when an enrolment expires': 'تغيير موعد انتهاء تسجيل',
    'Unenrol (staff, the course’s instructors, or the learner themself); its lesson progress goes too, quiz attempts stay':
      'إلغاء التسجيل (للموظفين أو مدرّبي الدورة أو المتعلّم نفسه)؛ يُحذف معه تقدّم الدروس وتبقى محاولات الاختبارات',
    'Enrollment id': 'معرّف التسجيل',
    'User id': 'معرّف المستخدم',
    Source: 'المصدر',
    Self: 'ذاتي',
    Manual: 'يدوي',
    'Order id': 'معرّف الطلب',
    'Expires at': 'تاريخ الانتهاء',
    Expired: 'منتهي الصلاحية',
    'Enrolled at': 'تاريخ التسجيل',
    'Progress percent': 'نسبة التقدّم',
    'Last activity at': 'آخر نشاط',
    'Certificate code': 'رمز الشهادة',
    State: 'الحالة',
    Active: 'نشط',
    Completed: 'مكتمل',
    'null: no longer a member': 'null: لم يعد عضوًا',
    Name: 'الاسم',
    Email: 'البريد الإلكتروني',
    'Access ends': 'ينتهي الوصول في',
    'When access ends; none: never': 'موعد انتهاء الوصول؛ بدونه: لا ينتهي',

    // Quizzes and attempts
    'Create or replace a lesson’s quiz and its questions (past attempts keep their scores)':
      'إنشاء اختبار الدرس وأسئلته أو استبدالها (تحتفظ المحاولات السابقة بدرجاتها)',
    'A lesson’s quiz: with answers for staff and instructors; for learners the questions only, and their attempts so far':
      'اختبار الدرس: بإجاباته للموظفين والمدرّبين؛ وللمتعلّمين الأسئلة فقط مع محاولاتهم حتى الآن',
    'Remove a lesson’s quiz with its attempts': 'إزالة اختبار الدرس مع محاولاته',
    'Pass mark (%)': 'درجة النجاح (%)',
    'Pass mark': 'درجة النجاح',
    'Percent needed to pass': 'النسبة المطلوبة للنجاح',
    'Attempts allowed': 'المحاولات المسموح بها',
    'Attempts limit': 'حد المحاولات',
    'None: unlimited': 'بدونه: غير محدود',
    'Time limit (seconds)': 'الحد الزمني (ثوانٍ)',
    'Time limit seconds': 'الحد الزمني بالثواني',
    'None: untimed': 'بدونه: دون حد زمني',
    'Required to complete': 'شرط لإكمال الدرس',
    'The lesson completes only after a passing attempt': 'لا يكتمل الدرس إلا بعد محاولة ناجحة',
    Kind: 'النوع',
    'Single choice': 'اختيار واحد',
    Single: 'اختيار واحد',
    'Multiple choice': 'اختيار متعدد',
    Multiple: 'اختيار متعدد',
    'Short answer': 'إجابة قصيرة',
    Short: 'إجابة قصيرة',
    Prompt: 'نص السؤال',
    'Correct choice': 'الخيار الصحيح',
    'Its position in the choices, from 0': 'ترتيبه بين الخيارات، بدءًا من 0',
    'Correct choices': 'الخيارات الصحيحة',
    'Their positions in the choices, from 0': 'ترتيبها بين الخيارات، بدءًا من 0',
    Correct: 'صحيح',
    Points: 'النقاط',
    'Default 1': 'الافتراضي 1',
    'My attempts': 'محاولاتي',
    Used: 'المستخدمة',
    Remaining: 'المتبقية',
    'null: no limit': 'null: بلا حد',
    'Best score': 'أفضل درجة',
    Passed: 'ناجح',
    'Start an attempt (or resume the open one): the questions without answers, and when time runs out':
      'بدء محاولة (أو استئناف المحاولة المفتوحة): الأسئلة دون إجاباتها، وموعد انتهاء الوقت',
    'Submit answers: scored on the server; after the time limit (plus grace) the attempt is closed as expired with 0':
      'تسليم الإجابات: تُصحَّح على الخادم؛ وبعد الحد الزمني (مع المهلة الإضافية) تُغلق المحاولة كمنتهية بدرجة 0',
    'An attempt (its learner, staff or the course’s instructors): score and per-question correctness, never the answers':
      'محاولة (لصاحبها أو للموظفين أو لمدرّبي الدورة): الدرجة وصحة كل سؤال، دون الإجابات أبدًا',
    'Attempts at a quiz: the caller’s own; every learner’s for staff and instructors (`?user_id=` filters)':
      'محاولات اختبار: محاولات المستخدم نفسه؛ ومحاولات كل المتعلّمين للموظفين والمدرّبين (التصفية بـ `?user_id=`)',
    'Quiz id': 'معرّف الاختبار',
    'Question id': 'معرّف السؤال',
    'In progress': 'جارية',
    Submitted: 'مُسلَّمة',
    'Started at': 'وقت البدء',
    'Submitted at': 'وقت التسليم',
    'Ends at': 'وقت الانتهاء',
    'When the time limit runs out; null: untimed': 'موعد انتهاء الحد الزمني؛ null: دون حد زمني',
    Score: 'الدرجة',
    Text: 'النص',
    Late: 'متأخرة',
    'Submitted after the time limit (and grace): scored 0': 'سُلّمت بعد الحد الزمني (والمهلة الإضافية): الدرجة 0',

    // Submissions
    "Hand in (or replace) the caller's file for a lesson they are enrolled in: PDF, text, PNG, JPEG, ZIP or Office documents up to `submissionMaxBytes`; a refused file is deleted":
      'تسليم ملف المستخدم (أو استبداله) في درس مسجَّل فيه: PDF أو نص أو PNG أو JPEG أو ZIP أو مستندات Office حتى `submissionMaxBytes`؛ ويُحذف الملف المرفوض',
    'A private file the learner uploaded through /api/v1/files': 'ملف خاص رفعه المتعلّم عبر /api/v1/files',
    "A lesson's submissions: every learner's for staff and the course's instructors, the caller's own for learners":
      'تسليمات الدرس: تسليمات كل المتعلّمين للموظفين ومدرّبي الدورة، وللمتعلّم تسليماته فقط',
    "A submission's file: 302 to a signed URL valid 5 minutes, for its learner and the course's staff (404 for anyone else)":
      'ملف التسليم: 302 إلى URL موقَّع صالح 5 دقائق، لصاحبه ولفريق الدورة (404 لغيرهم)',
    'Download route (the learner and staff only): a redirect to a short-lived signed URL':
      'مسار التنزيل (للمتعلّم والموظفين فقط): إعادة توجيه إلى URL موقَّع قصير الصلاحية',
    'Content type': 'نوع المحتوى',
    Size: 'الحجم',

    // Reports
    'A course’s enrolments, completion rate (%), average progress and average quiz score':
      'تسجيلات الدورة ونسبة الإكمال (%) ومتوسط التقدّم ومتوسط درجات الاختبارات',
    'Per-learner progress of a course, with name, email and quiz results': 'تقدّم كل متعلّم في الدورة، مع الاسم والبريد الإلكتروني ونتائج الاختبارات',
    'Per-learner progress of a course as CSV (streamed)': 'تقدّم كل متعلّم في الدورة بصيغة CSV (يُرسَل تدفّقيًا)',
    'One row per learner, streamed': 'صف لكل متعلّم، يُرسَل تدفّقيًا',
    'Average progress': 'متوسط التقدّم',
    'Average quiz score': 'متوسط درجات الاختبارات',
    'Completion rate': 'نسبة الإكمال',
    'Percent of enrolments completed, one decimal': 'نسبة التسجيلات المكتملة، بمنزلة عشرية واحدة',
    'Lessons completed': 'الدروس المكتملة',
    'Quiz attempts': 'محاولات الاختبارات',

    // Certificates and guardians
    'The caller’s certificates': 'شهادات المستخدم',
    Code: 'الرمز',
    'Course title': 'عنوان الدورة',
    'Learner name': 'اسم المتعلّم',
    'Issued at': 'تاريخ الإصدار',
    'Guardian links, filtered by guardian or learner': 'ارتباطات أولياء الأمور، مع التصفية حسب وليّ الأمر أو المتعلّم',
    'Let a member (guardian) read a learner’s progress': 'السماح لعضو (وليّ أمر) بالاطلاع على تقدّم متعلّم',
    'Remove a guardian link': 'إزالة ارتباط وليّ أمر',
    'The learners the caller is guardian of, with their names': 'المتعلّمون الذين يتولّى المستخدم أمرهم، مع أسمائهم',
    'A learner’s enrolments and progress: the learner, their guardians, and staff with lms.enrollments.view':
      'تسجيلات متعلّم وتقدّمه: للمتعلّم وأولياء أمره وللموظفين الذين لديهم lms.enrollments.view',
    'Guardian user id': 'معرّف مستخدم وليّ الأمر',
    'Learner user id': 'معرّف مستخدم المتعلّم',

    // Shop purchases and notifications
    'Paid shop orders that sold a course, with what happened (`no_member`: nobody to enrol yet)':
      'طلبات المتجر المدفوعة التي بيعت فيها دورة، مع ما جرى لكل منها (`no_member`: لا أحد لتسجيله بعد)',
    'Enrol a member for a purchase that found nobody to enrol (`no_member`)': 'تسجيل عضو في عملية شراء لم يُعثر فيها على أحد لتسجيله (`no_member`)',
    Outcome: 'النتيجة',
    Enrolled: 'تم التسجيل',
    'Already enrolled': 'مسجَّل من قبل',
    'No member': 'لا يوجد عضو',
    'Customer email': 'البريد الإلكتروني للعميل',
    'Queue the inactivity reminders and drip notifications now (they also run on their schedule)':
      'إضافة تذكيرات عدم النشاط وإشعارات الفتح التدريجي إلى قائمة الانتظار الآن (وهي تعمل أيضًا وفق جدولها)',
    Queued: 'في قائمة الانتظار',
  },
};
